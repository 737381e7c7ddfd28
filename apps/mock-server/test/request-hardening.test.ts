// Requests a client gets wrong, or a network mangles, answered by the shared pipeline as the
// client's mistake (4xx in the vendor's envelope), never as a retryable 5xx or a stalled server.
// The fuzz (test/fuzz.test.ts) sends the same kinds of request to every API; these pin the answers.
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { APIS, listOperations, loadSpec } from '../src/index.js';
import { DEV_KEY, errorOf, startMock, validJob } from './harness.js';
import { rawRequest } from './raw-http.js';
import { credentials, pathOf, withQuery } from './spec-requests.js';

const json = JSON.stringify(validJob);
const jsonHeaders = { 'X-API-Key': DEV_KEY, 'Content-Type': 'application/json' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('row 2: a body whose Content-Encoding does not decode', () => {
  it.each([
    { name: 'gzip that is not gzip', encoding: 'gzip', body: Buffer.from('not gzip'), message: /not valid gzip data/ },
    { name: 'truncated gzip', encoding: 'gzip', body: gzipSync(json).subarray(0, 20), message: /not valid gzip data: unexpected end of file/ },
    { name: 'deflate that is not deflate', encoding: 'deflate', body: Buffer.from('not deflate'), message: /not valid deflate data/ },
    { name: 'an encoding nobody implements', encoding: 'zstd-ish', body: Buffer.from(json), message: /unsupported content encoding/ },
  ])('$name -> 400 validation_error, and nothing logged as a mock failure', async ({ encoding, body, message }) => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const h = await startMock();
    const response = await rawRequest({ origin: h.running.url, target: '/lumixai/api/backend/v1/images/jobs', method: 'POST', headers: { ...jsonHeaders, 'Content-Encoding': encoding }, body });
    expect(response.status).toBe(400);
    const error = (JSON.parse(response.text) as { error: { type: string; message: string } }).error;
    expect(error).toMatchObject({ type: 'validation_error', message: expect.stringMatching(message) });
    expect(errors).not.toHaveBeenCalled();
  });

  it('a gzip body that does decode is served', async () => {
    const h = await startMock();
    const response = await rawRequest({ origin: h.running.url, target: '/lumixai/api/backend/v1/images/jobs', method: 'POST', headers: { ...jsonHeaders, 'Content-Encoding': 'gzip' }, body: gzipSync(json) });
    expect(response.status).toBe(202);
  });
});

/** GETs a cheap route back to back until stopped; the longest wait is how long the server stalled. */
function startProbe(url: string) {
  const latencies: number[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const started = performance.now();
      await (await fetch(url)).arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    latencies,
    async stop() {
      running = false;
      await done;
      return Math.max(...latencies);
    },
  };
}

describe('row 5: one request never holds up the others', () => {
  // Before the limits, the first body blocked the event loop for 3.2 s and the second for 1.6 s on
  // the 2-core development machine; refused before parsing, each stalls the probe ~15 ms.
  it.each([
    { name: '24 MB of nested arrays', body: () => Buffer.from('['.repeat(12_000_000) + ']'.repeat(12_000_000)), message: /nests deeper than 64 levels/ },
    { name: 'a 24 MB object of two million members', body: () => Buffer.from(`{${Array.from({ length: 2_000_000 }, (_, i) => `"k${i}":1`).join(',')}}`), message: /more than 10000 array items/ },
  ])('$name is refused before parsing, while a concurrent probe keeps being answered', async ({ body, message }) => {
    const h = await startMock();
    const payload = body();
    await (await fetch(`${h.base}/v1/models`)).arrayBuffer(); // the validator is set up on first use
    const probe = startProbe(`${h.base}/v1/models`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const quiet = Math.max(...probe.latencies);
    const started = performance.now();
    const response = await rawRequest({ origin: h.running.url, target: '/lumixai/api/backend/v1/images/jobs', method: 'POST', headers: jsonHeaders, body: payload });
    const took = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stall = await probe.stop();
    console.log(`row 5, ${payload.length} bytes: answered in ${took.toFixed(0)} ms; probe ${quiet.toFixed(0)} ms before, at most ${stall.toFixed(0)} ms during`);
    expect(response.status).toBe(400);
    expect((JSON.parse(response.text) as { error: { message: string } }).error.message).toMatch(message);
    expect(stall, 'longest probe answer while the body was handled (ms)').toBeLessThan(500);
  });

  it('a 24 MB inline reference image, the documented large body, is still accepted', async () => {
    const h = await startMock();
    const image = `data:image/png;base64,${'A'.repeat(24_000_000)}`;
    const response = await h.call('/v1/images/jobs', { json: { model: 'flux-kontext', prompt: '@img1 on a beach', aspectRatio: '1:1', resolution: '2k', references: [{ image, label: 'img1' }] } });
    expect(response.status).toBe(202);
  });
});

describe('row 8: HEAD on every GET route answers as GET, without a body', () => {
  it('/, the docs, /_mock/webhooks, every GET operation of every API, and a binary download', async () => {
    const h = await startMock();
    const created = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    const targets: Array<{ target: string; headers?: Record<string, string> }> = ['/', '/docs', '/docs/', '/_mock/webhooks'].map((target) => ({ target }));
    targets.push({ target: `/lumixai/api/backend/v1/images/results/${created.id}/download`, headers: { 'X-API-Key': DEV_KEY } });
    for (const api of APIS) {
      targets.push({ target: `/docs/${api.slug}` });
      const base = new URL(h.running.baseUrl(api.slug)).pathname;
      const doc = loadSpec(api.slug);
      for (const operation of listOperations(doc).filter((candidate) => candidate.method === 'GET')) {
        const { headers, query } = credentials(operation, api.devKeys[0]!.key);
        targets.push({ target: withQuery(`${base}${pathOf(doc, operation)}`, query), headers });
      }
    }
    for (const { target, headers } of targets) {
      const get = await rawRequest({ origin: h.running.url, target, headers });
      const head = await rawRequest({ origin: h.running.url, target, method: 'HEAD', headers });
      expect(get.status, target).toBeLessThan(500);
      expect([head.status, head.headers['content-type'], head.headers['content-length']], `HEAD ${target}`).toEqual([get.status, get.headers['content-type'], get.headers['content-length']]);
      expect(head.body.length, `HEAD ${target} has no body`).toBe(0);
    }
    expect(targets.map(({ target }) => target)).toContain('/lumixai/api/backend/v1/models');
  });

  it('logs a HEAD request as HEAD', async () => {
    const lines: string[] = [];
    const h = await startMock({ log: (line) => lines.push(line) });
    await rawRequest({ origin: h.running.url, target: '/lumixai/api/backend/v1/models', method: 'HEAD' });
    await expect.poll(() => lines).toEqual([expect.stringMatching(/^HEAD \/lumixai\/api\/backend\/v1\/models 200 /)]);
  });
});

describe('row 9: absolute-form request targets', () => {
  it.each([
    { name: 'GET / (the list of APIs)', path: '/', method: 'GET', status: 200 },
    { name: 'the public model catalog', path: '/lumixai/api/backend/v1/models?verbose=1', method: 'GET', status: 200 },
    { name: 'a job creation', path: '/lumixai/api/backend/v1/images/jobs', method: 'POST', status: 202, body: json },
    { name: 'a path nothing serves', path: '/nothing/here', method: 'GET', status: 404 },
  ])('$name is served like its origin form', async ({ path, method, status, body }) => {
    const h = await startMock();
    const response = await rawRequest({ origin: h.running.url, target: `${h.running.url}${path}`, method, headers: jsonHeaders, body });
    expect(response.status, response.text).toBe(status);
    const plain = await rawRequest({ origin: h.running.url, target: path, method, headers: jsonHeaders, body });
    expect(plain.status).toBe(status);
  });
});

describe('row 11: messages name the parameter, or the media types the operation accepts', () => {
  it.each([
    { name: 'a path parameter that is not percent-encoding', target: '/v1/images/jobs/%zz', message: 'path parameter id is not valid percent-encoding: %zz' },
    { name: 'another one, on the download route', target: '/v1/images/results/%E0%A4%A/download', message: 'path parameter id is not valid percent-encoding: %E0%A4%A' },
    { name: 'a POST without Content-Type', target: '/v1/images/jobs', method: 'POST', body: json, message: 'Unsupported Content-Type (none); send application/json' },
    { name: 'a POST without Content-Type or body', target: '/v1/images/jobs', method: 'POST', message: 'Unsupported Content-Type (none); send application/json' },
    { name: 'a POST as text/plain', target: '/v1/images/jobs', method: 'POST', body: json, contentType: 'text/plain', message: 'Unsupported Content-Type text/plain; send application/json' },
  ])('$name', async ({ target, method, body, contentType, message }) => {
    const h = await startMock();
    const headers: Record<string, string> = { 'X-API-Key': DEV_KEY, ...(contentType ? { 'Content-Type': contentType } : {}) };
    const response = await rawRequest({ origin: h.running.url, target: `/lumixai/api/backend${target}`, method, headers, body });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ error: { type: 'validation_error', message } });
  });
});

describe('row 12: a client that gives up on its upload', () => {
  it('is logged as aborted by the client, with nothing on stderr', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const lines: string[] = [];
    const h = await startMock({ log: (line) => lines.push(line) });
    const { port } = new URL(h.running.url);
    const req = request({ host: '127.0.0.1', port, path: '/lumixai/api/backend/v1/images/jobs', method: 'POST', headers: { ...jsonHeaders, 'Content-Length': '100000' } });
    req.on('error', () => undefined);
    req.write(json.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await expect.poll(() => lines).toEqual([expect.stringMatching(/^POST \/lumixai\/api\/backend\/v1\/images\/jobs aborted by the client \d+\.\dms$/)]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).not.toHaveBeenCalled();
    // The server is unharmed.
    expect((await h.call('/v1/models')).status).toBe(200);
    await errorOf(await h.call('/v1/images/jobs/x'));
  });
});
