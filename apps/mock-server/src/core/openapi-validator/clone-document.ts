import { validatorRequire } from './validator-require.js';

type Clone = <T>(value: T) => T;

let lodashCloneDeep: Clone | undefined;

/**
 * What the bundled build hands express-openapi-validator as `lodash.clonedeep` (scripts/bundle.mjs
 * maps the validator's `require('lodash.clonedeep')` here). The validator deep-copies each API's
 * whole document twice on its first request (its spec loader, then its schema preprocessor for the
 * answers): ten copies, about 25 ms CPU of a five-API start with lodash's, about 5 ms with
 * structuredClone, V8's own. Both keep shared and circular references. A document is parsed JSON
 * (plain objects, arrays, primitives), which both copy alike; anything else at the top (a class
 * instance, a symbol key) or inside that structuredClone refuses (a function) goes to lodash's.
 */
export function cloneDocument<T>(value: T): T {
  if (isPlainData(value)) {
    try {
      return structuredClone(value);
    } catch {
      // a function somewhere inside: lodash's copy, below
    }
  }
  return (lodashCloneDeep ??= validatorRequire('lodash.clonedeep') as Clone)(value);
}

/** A value whose own prototype is Object's or Array's, or a primitive; nested values are checked by structuredClone. */
function isPlainData(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return typeof value !== 'function' && typeof value !== 'symbol';
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === Array.prototype) && Object.getOwnPropertySymbols(value).length === 0;
}
