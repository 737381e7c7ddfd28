// Shared by the runtime tests and the type tests: what the spec documents, as exact tables.
import type { DocumentedStatus, GenerationFailureCode, operations } from '../src/index.js';

/**
 * Every status of every operation in spec/luma-agents/openapi.yaml: `ok` for the success status,
 * `error` for the rest. `satisfies` makes the table exact against the generated types: a status
 * missing here or not in the spec fails to compile.
 */
export const DOCUMENTED_STATUSES = {
  createGeneration: {
    201: 'ok',
    400: 'error',
    401: 'error',
    402: 'error',
    403: 'error',
    413: 'error',
    422: 'error',
    429: 'error',
    502: 'error',
    503: 'error',
  },
  getGeneration: {
    200: 'ok',
    400: 'error',
    401: 'error',
    403: 'error',
    404: 'error',
  },
} as const satisfies { [Op in keyof operations]: { [S in DocumentedStatus<Op>]: 'ok' | 'error' } };

/** The nine failure codes, exact against the spec's `GenerationFailureCode` in the same way. */
export const FAILURE_CODES = Object.keys({
  content_moderated: true,
  generation_failed: true,
  budget_exhausted: true,
  output_not_found: true,
  image_too_large: true,
  unsupported_format: true,
  corrupt_input: true,
  invalid_request: true,
  rate_limited: true,
} satisfies Record<GenerationFailureCode, true>) as GenerationFailureCode[];
