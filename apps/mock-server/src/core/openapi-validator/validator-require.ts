import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The validator's own modules the patches reach, by the specifier the validator's code requires
 * them with (relative ones from its entry, `dist/index.js`). The bundled build
 * (`scripts/bundle.mjs`) replaces this module with one that hands out the copies bundled beside the
 * validator, resolved the same way, so these are all it can hand out.
 */
export const VALIDATOR_INTERNALS = [
  'path-to-regexp',
  'lodash.clonedeep',
  './framework/index.js',
  './framework/modded.express.mung.js',
  './framework/types.js',
  './framework/openapi.schema.validator.js',
  './middlewares/openapi.metadata.js',
  './middlewares/openapi.request.validator.js',
  './middlewares/openapi.response.validator.js',
  './middlewares/parsers/schema.preprocessor.js',
  './middlewares/parsers/util.js',
  './middlewares/util.js',
] as const;

const entry = createRequire(import.meta.url).resolve('express-openapi-validator');
const requireFromValidator = createRequire(entry);

/** `require` as the validator itself resolves modules: its own copies of its dependencies. */
export function validatorRequire(id: string): unknown {
  return requireFromValidator(id);
}

/** The validator's version, read from its package.json (which its `exports` do not expose). */
export function installedValidatorVersion(): string {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'express-openapi-validator' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  throw new Error(`cannot find the package.json of express-openapi-validator above ${entry}`);
}
