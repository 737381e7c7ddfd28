import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import { defineProvider } from '../define-provider.js';

/** useapi.net Luma (`USEAPI_TOKEN`): every job is a batch of four images, all returned. */
export const createUseapiLuma = defineProvider({
  vendor: 'useapi-luma',
  keyVariable: 'USEAPI_TOKEN',
  defaultBaseUrl: 'https://api.useapi.net/v1/luma',
  exampleModel: 'photon-v2',
  maxImagesPerCall: 4,
  fixedImagesPerCall: true,
  supports: { aspectRatio: true },
  client: ({ apiKey, ...settings }) => createUseapiLumaClient({ ...settings, token: apiKey }),
});
