// The mock's fault controls in front of a real vendor: `Prefer` controls simulated by the proxy and
// never forwarded, fault plans scoped to the caller's own key (masked wherever it is shown), and
// job outcomes injected into the vendor's job-status answers, checked against the spec and listed
// as injected, never as drift.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { closers, proxyTo, upstream } from './proxy-support.js';
import type { Seen } from './proxy-support.js';

const JOB = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const KEY = 'air_live_a-real-customer-key-0042';
const OTHER_KEY = 'air_live_a-colleagues-key-0077';
const job = { model: 'flux-kontext', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: '1k' };
const post = (key = KEY, prefer?: string): RequestInit => ({
  method: 'POST',
  headers: { 'X-API-Key': key, 'Content-Type': 'application/json', ...(prefer === undefined ? {} : { Prefer: prefer }) },
  body: JSON.stringify(job),
});

/** A LumixAI that behaves: jobs are created pending and read back running, then done with an output. */
function lumixai(seen: Seen) {
  if (seen.method === 'POST') return { status: 202, body: JSON.stringify({ id: JOB, status: 'pending', created: 1778956800, usage: { image_count: 1 } }) };
  return { status: 200, body: JSON.stringify({ id: JOB, status: 'done', created: 1778956800, completed: 1778956830, usage: { image_count: 1 }, data: [{ download_url: `/v1/images/results/${JOB}/download` }] }) };
}

describe('Prefer controls are simulated in front of the vendor, never forwarded', () => {
  it('Prefer: code=503 answers LumixAI\'s documented 503 without asking the vendor', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    const response = await fetch(`${proxy.base}/v1/images/jobs`, post(KEY, 'code=503'));
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('service_unavailable');
    expect(vendor.seen).toHaveLength(0);
  });

  it('a Prefer control the mock does not know is the caller\'s mistake, answered and never forwarded', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    for (const prefer of ['code=418', 'job-status=exploded', 'latency=soon']) {
      const response = await fetch(`${proxy.base}/v1/images/jobs`, post(KEY, prefer));
      expect(response.status, prefer).toBe(400);
      expect(JSON.stringify(await response.json()), prefer).toContain('Prefer');
    }
    expect(vendor.seen).toHaveLength(0);
  });

  it('a vendor\'s mock-only control (useapi.net failed-images) is refused, naming what works instead', async () => {
    const vendor = await upstream(() => ({ status: 200, body: '{}' }));
    const proxy = await proxyTo(vendor.url, { upstreams: { 'useapi-luma': vendor.url } });
    const response = await fetch(`${proxy.running.baseUrl('useapi-luma')}/images`, {
      method: 'POST',
      headers: { Authorization: 'Bearer a-real-useapi-token', 'Content-Type': 'application/json', Prefer: 'failed-images=2' },
      body: JSON.stringify({ prompt: 'a lighthouse' }),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('job-outcome fault plan');
    expect(vendor.seen).toHaveLength(0);
  });

  it('the vendor gets the caller\'s other preferences as sent, quoted commas and parameters kept', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': KEY, Prefer: 'job-status=error, job-error="boom, twice", respond-async, handling=lenient;x="a, b", latency=0' } });
    expect(vendor.seen).toHaveLength(1);
    expect(vendor.seen[0]!.headers.prefer).toBe('respond-async, handling=lenient;x="a, b"');
  });
});

describe('fault plans scoped to the caller\'s own key', () => {
  it('fire for that key only, and show it masked in /_mock/faults', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    proxy.mock.faults.arm({ api: 'lumixai', operation: 'createImageJob', key: KEY, fault: 'status', status: 503, times: 2 });
    expect((await fetch(`${proxy.base}/v1/images/jobs`, post(OTHER_KEY))).status).toBe(202);
    expect((await fetch(`${proxy.base}/v1/images/jobs`, post(KEY))).status).toBe(503);
    expect(vendor.seen.map((seen) => seen.headers['x-api-key'])).toEqual([OTHER_KEY]);

    const shown = await (await fetch(`${proxy.running.url}/_mock/faults`)).text();
    expect(shown).not.toContain(KEY);
    expect(shown).toContain(KEY.slice(-4));
    expect(proxy.mock.faults.fired()).toEqual([expect.objectContaining({ fault: 'status', key: expect.stringMatching(/^….{4} sha256:[0-9a-f]{12}$/) })]);
  });

  it('match a plan armed with the key\'s sha256 instead of the key itself', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    const digest = createHash('sha256').update(KEY).digest('hex');
    proxy.mock.faults.arm({ api: 'lumixai', operation: '*', key: `sha256:${digest}`, fault: 'reset' });
    await expect(fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': OTHER_KEY } })).resolves.toMatchObject({ status: 200 });
    await expect(fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': KEY } })).rejects.toThrow();
    expect(proxy.mock.faults.fired()).toHaveLength(1);
  });
});

describe('a job outcome in front of the real vendor', () => {
  it('a job-outcome plan rewrites the vendor\'s job-status answer to the planned failure, checked, listed as injected, recorded as such', async () => {
    const vendor = await upstream(lumixai);
    const dir = mkdtempSync(join(tmpdir(), 'proxy-outcome-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const proxy = await proxyTo(vendor.url, { record: dir });
    proxy.mock.faults.arm({ api: 'lumixai', operation: 'getImageJob', key: KEY, fault: 'job-outcome', outcome: 'failed', message: 'the GPU caught fire' });

    const other = (await (await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': OTHER_KEY } })).json()) as Record<string, unknown>;
    expect(other.status).toBe('done');
    const failed = await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': KEY } });
    expect(failed.status).toBe(200);
    expect(await failed.json()).toEqual({ id: JOB, status: 'error', created: 1778956800, completed: 1778956830, usage: { image_count: 1 }, error: 'the GPU caught fire' });
    const after = (await (await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': KEY } })).json()) as Record<string, unknown>;
    expect(after.status).toBe('done');

    expect(proxy.mock.drift.toJSON()).toEqual({ drift: [], invalidRequests: [], injected: [{ api: 'lumixai', operation: 'getImageJob', fault: 'job-outcome', outcome: 'error', count: 1 }] });
    const har = JSON.parse(readFileSync(proxy.mock.recording!.file, 'utf8')) as { log: { entries: Array<{ comment?: string; response: { content: { text?: string } } }> } };
    expect(har.log.entries.map((entry) => entry.comment)).toEqual([undefined, expect.stringContaining('injected by the proxy'), undefined]);
    expect(har.log.entries[1]!.response.content.text).toBeUndefined();
  });

  it('Prefer: job-status rewrites one job-status read, in each vendor\'s shape', async () => {
    const vendor = await upstream((seen) =>
      seen.url.startsWith('/v1/images/generations/')
        ? { status: 200, body: JSON.stringify({ id: 'tsk_1', created: 1778956800, status: 'succeeded', data: [{ url: 'https://img.example.test/tsk_1/0.png' }] }) }
        : lumixai(seen),
    );
    const proxy = await proxyTo(vendor.url, { upstreams: { lumixai: vendor.url, lumen: vendor.url } });
    const lumix = await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: { 'X-API-Key': KEY, Prefer: 'job-status=error, job-error="boom, twice"' } });
    expect(await lumix.json()).toMatchObject({ status: 'error', error: 'boom, twice' });
    const lumen = await fetch(`${proxy.running.baseUrl('lumen')}/v1/images/generations/tsk_1`, { headers: { Authorization: 'Bearer sk-a-real-lumen-key', Prefer: 'job-status=failed, job-error-code=upstream_rate_limited' } });
    expect(await lumen.json()).toEqual({ id: 'tsk_1', created: 1778956800, status: 'failed', error: { code: 'upstream_rate_limited', message: expect.any(String) } });
    const cancelled = await fetch(`${proxy.running.baseUrl('lumen')}/v1/images/generations/tsk_1`, { headers: { Authorization: 'Bearer sk-a-real-lumen-key', Prefer: 'job-status=cancelled' } });
    expect(await cancelled.json()).toEqual({ id: 'tsk_1', created: 1778956800, status: 'cancelled' });
    expect(vendor.seen.every((seen) => seen.headers.prefer === undefined)).toBe(true);
    expect(proxy.mock.drift.toJSON().injected.map(({ api, outcome, count }) => ({ api, outcome, count }))).toEqual([
      { api: 'lumixai', outcome: 'error', count: 1 },
      { api: 'lumen', outcome: 'failed', count: 1 },
      { api: 'lumen', outcome: 'cancelled', count: 1 },
    ]);
  });

  it('leaves an answer that carries no job status as the vendor sent it', async () => {
    const vendor = await upstream(lumixai);
    const proxy = await proxyTo(vendor.url);
    const created = await fetch(`${proxy.base}/v1/images/jobs`, post(KEY, 'job-status=error'));
    expect(await created.json()).toMatchObject({ status: 'pending' });
    expect(proxy.mock.drift.toJSON().injected).toEqual([]);
  });
});
