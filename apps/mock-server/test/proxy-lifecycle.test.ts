// Proxy mode over a well-behaved upstream: the mock itself. Each API's whole life cycle (create,
// poll until done, download) through its own client and the proxy must leave the drift report
// empty, with absolute output URLs still pointing at the upstream, and bytes as the upstream sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient, isTerminalTask } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import { API_SLUGS, createMockServer, imageSize, serve } from '../src/index.js';
import type { ApiSlug, MockServer, RunningMockServer } from '../src/index.js';

const MAX_POLLS = 20;

interface LifeCycle {
  start(): Promise<string | number>;
  // Each client types its own ids; the test only passes back what start() returned.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  poll(id: any): Promise<{ done: boolean; url: string | undefined }>;
  download(url: string): Promise<Uint8Array>;
}

/** Each API's life cycle through its own client at `baseUrl`. */
const LIFE_CYCLES: Record<ApiSlug, (baseUrl: string) => LifeCycle> = {
  lumixai: (baseUrl) => {
    const client = createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false });
    return {
      start: async () => (await client.createJob({ model: 'flux-kontext', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: '1k' })).id,
      async poll(id) {
        const job = await client.getJob(id);
        return { done: job.status === 'done', url: job.data?.[0]?.download_url };
      },
      download: async (url) => (await client.download(url)).bytes,
    };
  },
  lumen: (baseUrl) => {
    const client = createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false });
    return {
      start: async () => (await client.createGenerationTask({ model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', size: '1:1', resolution: '1K' })).id,
      async poll(id) {
        const task = await client.getTask(id);
        return { done: isTerminalTask(task), url: 'data' in task ? task.data[0]?.url : undefined };
      },
      download: async (url) => (await client.downloadImage(url)).bytes,
    };
  },
  'luma-agents': (baseUrl) => {
    const client = createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false });
    return {
      start: async () => (await client.createGeneration({ prompt: 'A glass of iced coffee on a marble countertop', aspect_ratio: '1:1', output_format: 'png' })).id,
      async poll(id) {
        const generation = await client.getGeneration(id);
        return { done: generation.state === 'completed' || generation.state === 'failed', url: generation.output?.[0]?.url };
      },
      download: async (url) => (await client.downloadOutput(url)).bytes,
    };
  },
  'useapi-luma': (baseUrl) => {
    const client = createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false });
    return {
      start: async () => (await client.createImages({ prompt: 'a lighthouse at dusk', aspect_ratio: '1:1', resolution: '1080p' })).jobids[0]!,
      async poll(id) {
        const job = await client.getJob(id);
        return { done: job.status === 'completed' || job.status === 'failed', url: job.response?.image?.url };
      },
      download: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()),
    };
  },
  lumozai: (baseUrl) => {
    // `Prefer: respond-async` makes the run answer with its request_id alone, so the life cycle polls.
    const preferAsync: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      request.headers.set('Prefer', 'respond-async');
      return fetch(request);
    };
    const client = createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false, fetch: preferAsync });
    return {
      start: async () => (await client.run({ model_id: 'hidream-l1', prompt: 'A beautiful sunset over mountains' })).data.request_id,
      async poll(id) {
        const state = await client.check(id);
        return { done: state.status === 'completed', url: 'output' in state ? state.output : undefined };
      },
      download: async (url) => (await client.download(url)).bytes,
    };
  },
};

let upstream: RunningMockServer;
let upstreamMock: MockServer;
let proxy: RunningMockServer;
let proxyMock: MockServer;

beforeAll(async () => {
  upstreamMock = createMockServer({ timing: 'instant' });
  upstream = await serve(upstreamMock, { port: 0 });
  const upstreams = Object.fromEntries(API_SLUGS.map((slug) => [slug, `${upstream.url}/${slug}`]));
  proxyMock = createMockServer({ upstreams });
  proxy = await serve(proxyMock, { port: 0 });
});

afterAll(async () => {
  await proxy?.close({ idleGraceMs: 0 });
  await upstream?.close({ idleGraceMs: 0 });
});

describe('the mock as upstream', () => {
  it.each([...API_SLUGS])('%s: create, poll and download through the proxy leave the drift report empty', async (slug) => {
    const life = LIFE_CYCLES[slug](proxy.baseUrl(slug));
    const id = await life.start();
    let state = { done: false, url: undefined as string | undefined };
    for (let polls = 0; polls < MAX_POLLS && !state.done; polls++) state = await life.poll(id);
    expect(state.done).toBe(true);
    // Absolute URLs pass through untouched: the client downloads from where the upstream said.
    // LumixAI's download_url is a path below the base URL (its download is an operation of the
    // spec), so that download goes through the proxy and is checked like the rest.
    if (slug === 'lumixai') expect(state.url).toMatch(/^\/v1\/images\/results\/[^/]+\/download$/);
    else expect(state.url).toMatch(new RegExp(`^${upstream.url}/${slug}/`));
    expect(imageSize(await life.download(state.url!))).toMatchObject({ width: expect.any(Number) });

    expect(proxyMock.drift.toJSON()).toEqual({ drift: [], invalidRequests: [] });
    expect(upstreamMock.violations).toEqual([]);
    expect(upstreamMock.state(slug).jobs.length).toBeGreaterThan(0);
  });

  it('passes an error answer back as the upstream wrote it, and reports no drift for it', async () => {
    const direct = await fetch(`${upstream.baseUrl('lumixai')}/v1/images/jobs/nope`, { headers: { 'X-API-Key': 'air_live_mock_dev' } });
    const proxied = await fetch(`${proxy.baseUrl('lumixai')}/v1/images/jobs/nope`, { headers: { 'X-API-Key': 'air_live_mock_dev' } });
    expect(proxied.status).toBe(direct.status);
    expect(await proxied.text()).toBe(await direct.text());
    const unauthorized = await fetch(`${proxy.baseUrl('lumen')}/v1/images/generations/abc`);
    expect(unauthorized.status).toBe(401);
    expect(proxyMock.drift.toJSON()).toEqual({ drift: [], invalidRequests: [] });
  });
});
