import { defineApi } from '../../core/vendor-api.js';
import { LUMIXAI_CONFIG_SCHEMA } from './config-schema.js';
import type { LumixAIMockConfig } from './lumixai-api.js';
import { LUMIXAI_DEV_KEYS, createLumixAIMock } from './lumixai-api.js';

export type { LumixAIKeyConfig, LumixAIMockConfig } from './lumixai-api.js';
export { LUMIXAI_DEV_KEYS } from './lumixai-api.js';
export { lumixAIErrorTypeOf } from './lumixai-errors.js';

/** LumixAI Image API: `X-API-Key`, async jobs, synchronous generation, downloads, the model catalog. */
export const lumixai = defineApi<'lumixai', LumixAIMockConfig>({
  slug: 'lumixai',
  keyVariable: 'LUMIXAI_API_KEY',
  devKeys: LUMIXAI_DEV_KEYS,
  configSchema: LUMIXAI_CONFIG_SCHEMA,
  jobOperations: { submit: 'createImageJob', poll: 'getImageJob', download: 'downloadImageResult' },
  create: createLumixAIMock,
});
