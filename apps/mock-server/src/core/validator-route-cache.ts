import { createRequire } from 'node:module';

/**
 * express-openapi-validator matches each request by calling path-to-regexp's `pathToRegexp` for
 * every route of the spec, on every request, recompiling the same few patterns each time: the
 * single largest cost in a profile of the mock under load. The patterns depend only on the spec,
 * so the copy of path-to-regexp the validator loads is given a memoized `pathToRegexp`. The
 * validator reads the export at call time, so no other code path changes.
 */
export function memoizeValidatorRouteMatching(): void {
  const validatorRequire = createRequire(createRequire(import.meta.url).resolve('express-openapi-validator'));
  const pathToRegexpModule = validatorRequire('path-to-regexp') as {
    pathToRegexp: ((path: string, options?: object) => unknown) & { memoized?: true };
  };
  const original = pathToRegexpModule.pathToRegexp;
  if (original.memoized) return;
  const cache = new Map<string, unknown>();
  const memoized = Object.assign(
    (path: string, options?: { sensitive?: boolean; strict?: boolean; end?: boolean }) => {
      // The validator passes a fresh { sensitive, strict } object per call: key on its values.
      const key = `${path}\u0000${options?.sensitive}\u0000${options?.strict}\u0000${options?.end}`;
      let compiled = cache.get(key);
      if (compiled === undefined) {
        compiled = original(path, options);
        cache.set(key, compiled);
      }
      return compiled;
    },
    { memoized: true as const },
  );
  pathToRegexpModule.pathToRegexp = memoized;
}
