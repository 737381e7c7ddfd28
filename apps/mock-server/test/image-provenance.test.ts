// Every API's images name the request that made them (API, job id, model, prompt, size), read back with
// the exported readImageProvenance, so a client's test can check which job an image came from
// without decoding pixels. One row per API: a job made and downloaded through the API's own client.
import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMockServer, imageSize, readImageProvenance, serve } from '../src/index.js';
import type { RunningMockServer } from '../src/index.js';

let running: RunningMockServer;
beforeAll(async () => {
  running = await serve(createMockServer(), { port: 0 });
});
afterAll(() => running.close());

interface Made {
  jobId: string;
  model: string;
  bytes: Uint8Array;
}

const PROMPT = 'a lighthouse at dusk, naïve style';

const ROWS: Array<{ api: string; make(baseUrl: string): Promise<Made> }> = [
  {
    api: 'lumixai',
    async make(baseUrl) {
      const client = createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false });
      const job = await client.createJob({ model: 'flux-kontext', prompt: PROMPT, aspectRatio: '1:1', resolution: '1k' });
      const done = await client.getJob(job.id);
      return { jobId: job.id, model: 'flux-kontext', bytes: (await client.download(done.data![0]!.download_url)).bytes };
    },
  },
  {
    api: 'lumen',
    async make(baseUrl) {
      const client = createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false });
      const task = await client.createGenerationTask({ model: 'gpt-image-2-low', prompt: PROMPT, size: '1:1', n: 2 });
      const done = await client.getTask(task.id);
      if (done.status !== 'succeeded') throw new Error(`task ${task.id} is ${done.status}`);
      return { jobId: task.id, model: 'gpt-image-2-low', bytes: (await client.downloadImage(done.data[1]!.url)).bytes };
    },
  },
  {
    api: 'luma-agents',
    async make(baseUrl) {
      const client = createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false });
      const created = await client.createGeneration({ prompt: PROMPT, aspect_ratio: '1:1', output_format: 'jpeg' });
      const done = await client.getGeneration(created.id);
      return { jobId: created.id, model: done.model, bytes: (await client.downloadOutput(done.output![0]!.url)).bytes };
    },
  },
  {
    api: 'useapi-luma',
    async make(baseUrl) {
      const client = createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false });
      const batch = await client.createImages({ prompt: PROMPT, aspect_ratio: '1:1', model: 'image-v2' });
      const job = await client.getJob(batch.jobids[2]!);
      return { jobId: job.jobid, model: 'image-v2', bytes: new Uint8Array(await (await fetch(job.response!.image!.url)).arrayBuffer()) };
    },
  },
  {
    api: 'lumozai',
    async make(baseUrl) {
      const client = createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false });
      const run = await client.run({ model_id: 'hidream-l1', prompt: PROMPT });
      if (!('output' in run.data)) throw new Error(`run ${run.data.request_id} did not finish at once`);
      return { jobId: String(run.data.request_id), model: 'hidream-l1', bytes: (await client.download(run.data.output)).bytes };
    },
  },
];

describe('provenance of every API\'s images', () => {
  it.each(ROWS)('$api: the downloaded image names its API, job, model, prompt and size', async ({ api, make }) => {
    const { jobId, model, bytes } = await make(running.baseUrl(api));
    expect(readImageProvenance(bytes)).toEqual({ api, jobId, model, prompt: PROMPT, ...imageSize(bytes) });
  });
});
