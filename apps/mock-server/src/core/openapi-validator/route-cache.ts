import { validatorRequire } from './version.js';

/** Patterns compiled so far, keyed by path and options, for `memoizedRoutePatterns()`. */
const cache = new Map<string, unknown>();

/**
 * express-openapi-validator matches each request by calling path-to-regexp's `pathToRegexp` for
 * every route of the spec, on every request, recompiling the same few patterns each time: the
 * single largest cost in a profile of the mock under load. The patterns depend only on the spec,
 * so the copy of path-to-regexp the validator loads is given a memoized `pathToRegexp`. The
 * validator reads the export at call time, so no other code path changes.
 */
export function memoizeValidatorRouteMatching(): void {
  const pathToRegexpModule = validatorRequire('path-to-regexp') as {
    pathToRegexp: ((path: string, options?: object) => unknown) & { memoized?: true };
  };
  const original = pathToRegexpModule.pathToRegexp;
  if (original.memoized) return;
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

/** The route patterns the validator has compiled through the patch (its paths), for tests. */
export function memoizedRoutePatterns(): string[] {
  return [...cache.keys()].map((key) => key.split('\u0000')[0]!);
}
