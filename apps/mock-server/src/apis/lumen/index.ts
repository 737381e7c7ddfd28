import { defineApi } from '../../core/vendor-api.js';
import { LUMEN_CONFIG_SCHEMA } from './config-schema.js';
import type { LumenMockConfig } from './lumen-api.js';
import { LUMEN_DEV_KEYS, createLumenMock } from './lumen-api.js';

export type { LumenKeyConfig, LumenMockConfig } from './lumen-api.js';
export { LUMEN_DEV_KEYS } from './lumen-api.js';
export { lumenErrorCodeOf, lumenErrorCodesOf } from './lumen-errors.js';

/**
 * Lumen Image API: `Authorization: Bearer sk-lumen-...`, async tasks billed per group, PNGs on the
 * mock's own image route, signed webhooks. The page names no environment variable for the key.
 */
export const lumen = defineApi<'lumen', LumenMockConfig>({
  slug: 'lumen',
  devKeys: LUMEN_DEV_KEYS,
  configSchema: LUMEN_CONFIG_SCHEMA,
  jobOperations: { submit: 'createGenerationTask', poll: 'getTask', download: 'output' },
  create: createLumenMock,
});
