import { defineApi } from '../../core/vendor-api.js';
import { USEAPI_LUMA_CONFIG_SCHEMA } from './config-schema.js';
import { USEAPI_LUMA_DEV_KEYS } from './keys.js';
import type { UseapiLumaMockConfig } from './useapi-luma-api.js';
import { createUseapiLumaMock } from './useapi-luma-api.js';

export type { UseapiLumaAccountConfig } from './accounts.js';
export type { UseapiLumaKeyConfig } from './keys.js';
export type { UseapiLumaMockConfig } from './useapi-luma-api.js';
export { USEAPI_LUMA_DEV_ACCOUNTS } from './accounts.js';
export { USEAPI_LUMA_DEV_KEYS } from './keys.js';
export { useapiLumaErrorCodeOf } from './useapi-luma-errors.js';

/** useapi.net Luma images API: Bearer tokens, batches of four image jobs, accounts with concurrency slots, replyUrl callbacks. */
export const useapiLuma = defineApi<'useapi-luma', UseapiLumaMockConfig>({
  slug: 'useapi-luma',
  devKeys: USEAPI_LUMA_DEV_KEYS,
  configSchema: USEAPI_LUMA_CONFIG_SCHEMA,
  jobOperations: { submit: 'createImages', poll: 'getJob', download: 'output' },
  // "Each request produces a batch of 4 images": four jobs per accepted submission.
  jobsPerSubmission: 4,
  create: createUseapiLumaMock,
});
