// The project's AI SDK image providers (@imagegen/ai-sdk) through the AI SDK's own generateImage,
// its default retries included, as a conformance subject:
// `imagegen-conformance --module adapters/ai-sdk.mjs`. Each vendor's provider and the model it
// documents come from the package's PROVIDERS, by slug: no list here.
import { writeFile } from 'node:fs/promises';

import { PROVIDERS } from '@imagegen/ai-sdk';
import { generateImage } from 'ai';

export default async function aiSdk(env) {
  const create = PROVIDERS[env.vendor];
  if (!create) throw new Error(`@imagegen/ai-sdk has no provider for ${env.vendor}`);
  const provider = create({ baseUrl: env.baseUrl, apiKey: env.apiKey, timeoutMs: env.timeoutMs });
  const { images } = await generateImage({ model: provider.image(create.exampleModel), prompt: env.prompt });
  await writeFile(env.output, images[0].uint8Array);
}
