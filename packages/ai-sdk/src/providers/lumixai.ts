import { createLumixAIClient } from '@imagegen/lumixai';

import { defineProvider } from '../define-provider.js';

/** LumixAI (`X-API-Key`, `LUMIXAI_API_KEY`); repeats are safe: submissions carry an Idempotency-Key. */
export const createLumixAI = defineProvider({
  vendor: 'lumixai',
  keyVariable: 'LUMIXAI_API_KEY',
  // The documentation's own base path; point baseUrl at your deployment or the mock.
  defaultBaseUrl: 'https://lumixai.com/api/backend',
  exampleModel: 'imagen-nano-banana-2-flash',
  maxImagesPerCall: 1,
  supports: { aspectRatio: true, seed: 'seed' },
  client: (settings) => createLumixAIClient(settings),
});
