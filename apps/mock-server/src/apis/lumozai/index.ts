import { defineApi } from '../../core/vendor-api.js';
import { LUMOZAI_CONFIG_SCHEMA } from './config-schema.js';
import type { LumozAIMockConfig } from './lumozai-api.js';
import { DEFAULT_RUN_WAIT_MS, LUMOZAI_DEV_KEYS, createLumozAIMock } from './lumozai-api.js';

export type { LumozAIKeyConfig, LumozAIMockConfig } from './lumozai-api.js';
export { LUMOZAI_DEV_KEYS } from './lumozai-api.js';
export { lumozAIErrorCodeOf } from './lumozai-errors.js';

/** LumozAI API v4: Bearer keys, form bodies, runs answered now or by request_id, hourly limits on every answer. */
export const lumozai = defineApi<'lumozai', LumozAIMockConfig>({
  slug: 'lumozai',
  devKeys: LUMOZAI_DEV_KEYS,
  configSchema: LUMOZAI_CONFIG_SCHEMA,
  jobOperations: { submit: 'runModel', poll: 'checkRequest', download: 'output' },
  submitWaitMs: DEFAULT_RUN_WAIT_MS,
  create: createLumozAIMock,
});
