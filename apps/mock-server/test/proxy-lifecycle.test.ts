// Proxy mode over a well-behaved upstream: the mock itself. Each API's whole life cycle (submit,
// poll until done, download) through its client's common `client.jobs` and the proxy must leave the drift report
// empty, with absolute output URLs still pointing at the upstream, and bytes as the upstream sent.
import type { ImageJobClient, ImageRequest } from '@imagegen/client-kit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { API_SLUGS, createMockServer, imageSize, serve } from '../src/index.js';
import type { MockServer, RunningMockServer } from '../src/index.js';

/** What `bench/apis/<slug>.mjs` says of its API's life cycle (see there). */
interface LifeCycle {
  client: string;
  create(module: unknown, baseUrl: string): { jobs: ImageJobClient };
  request: ImageRequest;
  headers?: Record<string, string>;
}

/** Each API's life cycle, from its own `bench/apis/<slug>.mjs`, found by slug: no list here. */
async function lifecycleOf(slug: string): Promise<LifeCycle> {
  return ((await import(new URL(`../bench/apis/${slug}.mjs`, import.meta.url).href)) as { lifecycle: LifeCycle }).lifecycle;
}

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

// The proxy is shared by the file's tests; each asserts the drift its own requests caused, in any
// order (a job-outcome test leaves its injections in the report).
beforeEach(() => proxyMock.drift.clear());

describe('the mock as upstream', () => {
  it.each([...API_SLUGS])('%s: submit, poll and download through the proxy leave the drift report empty', async (slug) => {
    const lifecycle = await lifecycleOf(slug);
    const jobs = lifecycle.create(await import(lifecycle.client), proxy.baseUrl(slug)).jobs;
    const { handle } = await jobs.submit(lifecycle.request, { headers: lifecycle.headers });
    const done = await jobs.wait(handle, { intervalMs: 0, timeoutMs: 10_000 });
    // Absolute URLs pass through untouched: the client downloads from where the upstream said.
    // LumixAI's download_url is a path below the base URL (its download is an operation of the
    // spec), so that download goes through the proxy and is checked like the rest.
    for (const url of done.outputs) {
      if (slug === 'lumixai') expect(url).toMatch(/^\/v1\/images\/results\/[^/]+\/download$/);
      else expect(url).toMatch(new RegExp(`^${upstream.url}/${slug}/`));
    }
    const images = await jobs.download(done);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(imageSize(image.bytes)).toMatchObject({ width: expect.any(Number) });

    expect(proxyMock.drift.toJSON()).toEqual({ drift: [], invalidRequests: [], injected: [] });
    expect(upstreamMock.violations).toEqual([]);
    expect(upstreamMock.state(slug).jobs.length).toBeGreaterThan(0);
  });

  it.each([...API_SLUGS])('%s: a job-outcome plan turns the vendor\'s job-status answer into its failed shape, valid against the spec', async (slug) => {
    const lifecycle = await lifecycleOf(slug);
    const jobs = lifecycle.create(await import(lifecycle.client), proxy.baseUrl(slug)).jobs;
    const { handle } = await jobs.submit(lifecycle.request, { headers: lifecycle.headers });
    // Every status read from now on (a batch is several), whatever the vendor calls them.
    const plan = proxyMock.faults.arm({ api: slug, operation: '*', fault: 'job-outcome', outcome: 'failed', message: 'injected, on purpose', times: 100 });
    const status = await jobs.status(handle);
    proxyMock.faults.clear(plan.id);
    expect(status.state).toBe('failed');
    expect(JSON.stringify(status.raw)).toContain('injected, on purpose');
    const report = proxyMock.drift.toJSON();
    expect(report.drift).toEqual([]);
    expect(report.invalidRequests).toEqual([]);
    expect(report.injected).toEqual([expect.objectContaining({ api: slug, fault: 'job-outcome', count: expect.any(Number) })]);
  });

  it('passes an error answer back as the upstream wrote it, and reports no drift for it', async () => {
    const direct = await fetch(`${upstream.baseUrl('lumixai')}/v1/images/jobs/00000000-0000-4000-8000-000000000000`, { headers: { 'X-API-Key': 'air_live_mock_dev' } });
    const proxied = await fetch(`${proxy.baseUrl('lumixai')}/v1/images/jobs/00000000-0000-4000-8000-000000000000`, { headers: { 'X-API-Key': 'air_live_mock_dev' } });
    expect(proxied.status).toBe(direct.status);
    expect(await proxied.text()).toBe(await direct.text());
    const unauthorized = await fetch(`${proxy.baseUrl('lumen')}/v1/images/generations/abc`);
    expect(unauthorized.status).toBe(401);
    expect(proxyMock.drift.toJSON()).toEqual({ drift: [], invalidRequests: [], injected: [] });
  });
});
