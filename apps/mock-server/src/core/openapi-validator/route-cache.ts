import { validatorRequire } from './version.js';

/** Patterns compiled so far: per path, per combination of options (see `optionsIndex`). */
const cache = new Map<string, unknown[]>();

type RouteOptions = { sensitive?: boolean; strict?: boolean; end?: boolean };

/**
 * express-openapi-validator matches each request by calling path-to-regexp's `pathToRegexp` for
 * every route of the spec, on every request, recompiling the same few patterns each time: the
 * single largest cost in a profile of the mock under load. The patterns depend only on the spec,
 * so the copy of path-to-regexp the validator loads is given a memoized `pathToRegexp`. The
 * validator reads the export at call time, so no other code path changes.
 */
export function memoizeValidatorRouteMatching(): void {
  const pathToRegexpModule = validatorRequire('path-to-regexp') as {
    pathToRegexp: ((path: string, options?: RouteOptions) => unknown) & { memoized?: true };
  };
  const original = pathToRegexpModule.pathToRegexp;
  if (original.memoized) return;
  const memoized = Object.assign(
    (path: string, options?: RouteOptions) => {
      // Called per route per request: looked up by path, then by the options' values as a small
      // number (the validator passes a fresh { sensitive, strict } object per call), with no key
      // string built per call.
      let compiledByOptions = cache.get(path);
      if (compiledByOptions === undefined) cache.set(path, (compiledByOptions = []));
      const index = optionsIndex(options);
      let compiled = compiledByOptions[index];
      if (compiled === undefined) {
        compiled = original(path, options);
        compiledByOptions[index] = compiled;
      }
      return compiled;
    },
    { memoized: true as const },
  );
  pathToRegexpModule.pathToRegexp = memoized;
}

/** Each option that changes the pattern is undefined, false or true: one of 27 combinations. */
function optionsIndex(options: RouteOptions | undefined): number {
  const state = (value: boolean | undefined) => (value === undefined ? 0 : value ? 1 : 2);
  return options === undefined ? 0 : state(options.sensitive) * 9 + state(options.strict) * 3 + state(options.end);
}

/** The route patterns the validator has compiled through the patch (its paths), for tests. */
export function memoizedRoutePatterns(): string[] {
  return [...cache.keys()];
}
