// The project's AI SDK image providers (@imagegen/ai-sdk) through the AI SDK's own generateImage,
// its default retries included, as a conformance subject:
// `imagegen-conformance --module adapters/ai-sdk.mjs`.
import { writeFile } from 'node:fs/promises';

import { createLumaAgents, createLumen, createLumixAI, createLumozAI, createUseapiLuma } from '@imagegen/ai-sdk';
import { generateImage } from 'ai';

const PROVIDERS = {
  lumixai: [createLumixAI, 'imagen-nano-banana-2-flash'],
  lumen: [createLumen, 'gpt-image-2-low'],
  'luma-agents': [createLumaAgents, 'uni-1'],
  'useapi-luma': [createUseapiLuma, 'photon-v2'],
  lumozai: [createLumozAI, 'hidream-l1'],
};

export default async function aiSdk(env) {
  const [create, model] = PROVIDERS[env.vendor];
  const provider = create({ baseUrl: env.baseUrl, apiKey: env.apiKey, timeoutMs: env.timeoutMs });
  const { images } = await generateImage({ model: provider.image(model), prompt: env.prompt });
  await writeFile(env.output, images[0].uint8Array);
}
