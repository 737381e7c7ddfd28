import { createLumozAIClient } from '@imagegen/lumozai';

import { defineProvider } from '../define-provider.js';

/** LumozAI (`LUMOZAI_API_KEY`): model parameters go in `providerOptions.lumozai`. */
export const createLumozAI = defineProvider({
  vendor: 'lumozai',
  keyVariable: 'LUMOZAI_API_KEY',
  defaultBaseUrl: 'https://lumozai.com/api/v4',
  exampleModel: 'hidream-l1',
  maxImagesPerCall: 1,
  supports: { aspectRatio: false },
  client: (settings) => createLumozAIClient(settings),
});
