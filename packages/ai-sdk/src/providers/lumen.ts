import { createLumenClient } from '@imagegen/lumen';

import { defineProvider } from '../define-provider.js';

/** Lumen (`LUMEN_API_KEY`): `n` up to 4 per task; `size` as pixels or a ratio. */
export const createLumen = defineProvider({
  vendor: 'lumen',
  keyVariable: 'LUMEN_API_KEY',
  defaultBaseUrl: 'https://lumen.mengfanlab.top',
  exampleModel: 'gpt-image-2-low',
  maxImagesPerCall: 4,
  supports: { aspectRatio: true, size: (size) => ({ size }), n: true },
  client: (settings) => createLumenClient(settings),
});
