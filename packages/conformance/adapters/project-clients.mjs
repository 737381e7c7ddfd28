// The project's own five clients as a conformance subject:
// `imagegen-conformance --module adapters/project-clients.mjs`. Each goes through the common job
// interface (`client.jobs.generate`: submit, wait, download) where the client has it, else through
// its own one-call method. Resolves when the image is written to env.output; throws the client's
// own error otherwise.
import { writeFile } from 'node:fs/promises';

import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

const RUN = {
  async lumixai({ baseUrl, apiKey, prompt, timeoutMs }) {
    const client = createLumixAIClient({ baseUrl, apiKey });
    const { image } = await client.generateAndDownload({ model: 'imagen-nano-banana-2-flash', prompt }, { wait: { timeoutMs } });
    return image.bytes;
  },
  async lumen({ baseUrl, apiKey, prompt, timeoutMs }) {
    const client = createLumenClient({ baseUrl, apiKey });
    const { images } = await client.generateAndDownload({ model: 'gpt-image-2-low', prompt }, { wait: { timeoutMs } });
    return images[0].bytes;
  },
  async 'luma-agents'({ baseUrl, apiKey, prompt, timeoutMs }) {
    const client = createLumaAgentsClient({ baseUrl, apiKey });
    const { images } = await client.generateAndDownload({ prompt }, { wait: { timeoutMs } });
    return images[0].bytes;
  },
  async 'useapi-luma'({ baseUrl, apiKey, prompt, timeoutMs }) {
    const client = createUseapiLumaClient({ baseUrl, token: apiKey });
    const batch = await client.createImages({ prompt });
    const outcome = await client.waitForBatch(batch, { timeoutMs });
    const done = outcome.images.find((image) => image.outcome === 'completed');
    if (!done) {
      const detail = outcome.images.map((image) => `${image.jobid}: ${image.outcome}${image.error ? ` (${image.error.message ?? image.error})` : ''}`).join('; ');
      throw new Error(`useapi.net batch ${batch.jobid} produced no image: ${detail}`);
    }
    const answer = await fetch(done.url);
    if (!answer.ok) throw new Error(`GET ${done.url} answered ${answer.status}`);
    return new Uint8Array(await answer.arrayBuffer());
  },
  async lumozai({ baseUrl, apiKey, prompt, timeoutMs }) {
    const client = createLumozAIClient({ baseUrl, apiKey });
    const { file } = await client.runAndDownload({ model_id: 'hidream-l1', prompt }, { wait: { timeoutMs } });
    return file.bytes;
  },
};

const CREATE = {
  lumixai: ({ baseUrl, apiKey }) => createLumixAIClient({ baseUrl, apiKey }),
  lumen: ({ baseUrl, apiKey }) => createLumenClient({ baseUrl, apiKey }),
  'luma-agents': ({ baseUrl, apiKey }) => createLumaAgentsClient({ baseUrl, apiKey }),
  'useapi-luma': ({ baseUrl, apiKey }) => createUseapiLumaClient({ baseUrl, token: apiKey }),
  lumozai: ({ baseUrl, apiKey }) => createLumozAIClient({ baseUrl, apiKey }),
};

/** Whether the clients have the common job interface (`client.jobs`). */
export function hasJobInterface(env) {
  return typeof CREATE[env.vendor]?.(env).jobs?.generate === 'function';
}

export default async function projectClients(env) {
  const jobs = CREATE[env.vendor]?.(env).jobs;
  if (typeof jobs?.generate === 'function') {
    const { images } = await jobs.generate({ prompt: env.prompt }, { wait: { timeoutMs: env.timeoutMs } });
    await writeFile(env.output, images[0].bytes);
    return;
  }
  const run = RUN[env.vendor];
  if (!run) throw new Error(`no project client for ${env.vendor}`);
  await writeFile(env.output, await run(env));
}
