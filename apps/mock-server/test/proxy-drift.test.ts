// Proxy mode against an upstream that drifts on purpose: a loopback server answering LumixAI's
// paths the way a vendor whose contract moved would. The drift report must list exactly what it
// changed, nothing else; the proxy must pass every answer back byte for byte, forward the
// caller's own credentials and body untouched, and answer an unreachable upstream with a 502 in
// LumixAI's error format.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { describe, expect, it } from 'vitest';

import { createMockServer, serve } from '../src/index.js';
import { closers, proxyTo, upstream } from './proxy-support.js';
import type { Seen } from './proxy-support.js';

const KEY = 'a-real-customer-key';
const headers = { 'X-API-Key': KEY, 'Content-Type': 'application/json' };
const job = { model: 'flux-kontext', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: '1k' };

/** The drifting vendor: five answers, each off the contract in one documented way. */
function drifting(seen: Seen) {
  const path = seen.url.split('?')[0];
  if (seen.method === 'POST' && path === '/api/backend/v1/images/jobs') {
    // An extra field, and odd spacing that must reach the caller as sent.
    return { status: 202, body: '{"id":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b",  "status":"pending","created":1778956800,"usage":{"image_count":1},"queue_position":3}' };
  }
  if (path === '/api/backend/v1/images/jobs/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b') {
    // A wrong type: created as a string.
    return { status: 200, body: JSON.stringify({ id: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', status: 'running', created: '1778956800', usage: { image_count: 1 } }) };
  }
  if (path === '/api/backend/v1/models') return { status: 418, body: JSON.stringify({ error: { type: 'teapot', message: 'short and stout' } }) };
  if (path === '/api/backend/v1/images/generations') {
    // A renamed error code: invalid_request_error instead of validation_error.
    return { status: 400, body: JSON.stringify({ error: { type: 'invalid_request_error', message: 'prompt is required' } }) };
  }
  // A 429 without the Retry-After header the spec infers.
  return { status: 429, body: JSON.stringify({ error: { type: 'rate_limit_error', message: 'rate limit exceeded' } }) };
}

describe('drift report', () => {
  it('lists exactly the differences of a drifting upstream, grouped, counted, inferred ones flagged', async () => {
    const vendor = await upstream(drifting);
    const proxy = await proxyTo(vendor.url);

    const created = await fetch(`${proxy.base}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify(job) });
    expect(created.status).toBe(202);
    expect(await created.text()).toBe('{"id":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b",  "status":"pending","created":1778956800,"usage":{"image_count":1},"queue_position":3}');
    for (let i = 0; i < 2; i++) expect((await fetch(`${proxy.base}/v1/images/jobs/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b`, { headers })).status).toBe(200);
    expect((await fetch(`${proxy.base}/v1/models`)).status).toBe(418);
    expect((await fetch(`${proxy.base}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify(job) })).status).toBe(400);
    expect((await fetch(`${proxy.base}/v1/images/results/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b/download`, { headers })).status).toBe(429);

    const report = (await (await fetch(`${proxy.running.url}/_mock/drift`)).json()) as { drift: Array<Record<string, unknown>>; invalidRequests: unknown[] };
    const summary = report.drift.map(({ operation, status, kind, pointer, count, inferred, example }) => ({ operation, status, kind, pointer, count, inferred, example }));
    expect(summary).toEqual([
      // The spec marks ImageJobCreateResponse x-inferred (its fields are known from one example only).
      { operation: 'createImageJob', status: 202, kind: 'extra-field', pointer: '/queue_position', count: 1, inferred: true, example: 3 },
      { operation: 'getImageJob', status: 200, kind: 'wrong-type', pointer: '/created', count: 2, inferred: false, example: '1778956800' },
      { operation: 'listModels', status: 418, kind: 'undocumented-status', pointer: '', count: 1, inferred: false, example: { error: { type: 'teapot', message: 'short and stout' } } },
      { operation: 'generateImage', status: 400, kind: 'enum-value', pointer: '/error/type', count: 1, inferred: false, example: 'invalid_request_error' },
      { operation: 'downloadImageResult', status: 429, kind: 'header-absent', pointer: '/headers/Retry-After', count: 1, inferred: true, example: undefined },
    ]);
    expect(report.invalidRequests).toEqual([]);
  });

  it('forwards the caller\'s credentials, body bytes (callback URLs included) and own preferences untouched, and no mock control', async () => {
    const vendor = await upstream(drifting);
    const proxy = await proxyTo(vendor.url);
    const body = '{"model":"flux-kontext","prompt":"a lighthouse at dusk","aspectRatio":"1:1","resolution":"1k","webhookUrl":"https://hooks.example.test/cb?sig=abc"}';
    await fetch(`${proxy.base}/v1/images/jobs?trace=1`, { method: 'POST', headers: { ...headers, Prefer: 'latency=0, code=202, respond-async, wait=5' }, body });
    expect(vendor.seen).toHaveLength(1);
    expect(vendor.seen[0]).toMatchObject({ method: 'POST', url: '/api/backend/v1/images/jobs?trace=1', body });
    expect(vendor.seen[0]!.headers['x-api-key']).toBe(KEY);
    expect(vendor.seen[0]!.headers.host).toBe(new URL(vendor.url).host);
    expect(vendor.seen[0]!.headers.prefer).toBe('respond-async, wait=5');
  });
});

describe('invalid requests', () => {
  const wellBehaved = () => ({ status: 202, body: JSON.stringify({ id: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', status: 'pending', created: 1778956800, usage: { image_count: 1 } }) });

  it('are reported and still forwarded by default: the vendor decides', async () => {
    const vendor = await upstream(wellBehaved);
    const proxy = await proxyTo(vendor.url);
    const response = await fetch(`${proxy.base}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify({ ...job, resolution: '8k' }) });
    expect(response.status).toBe(202);
    expect(vendor.seen).toHaveLength(1);
    expect(proxy.drift()).toEqual({
      drift: [],
      injected: [],
      invalidRequests: [{ api: 'lumixai', operation: 'createImageJob', message: expect.stringContaining('resolution'), count: 1, refused: false }],
    });
  });

  it('are refused with the vendor\'s validation error when asked, never reaching the upstream', async () => {
    const vendor = await upstream(wellBehaved);
    const proxy = await proxyTo(vendor.url, { proxy: { refuseInvalidRequests: true } });
    const response = await fetch(`${proxy.base}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify({ ...job, resolution: '8k' }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('validation_error');
    expect(vendor.seen).toHaveLength(0);
  });
});

describe('an unreachable upstream', () => {
  it('is a 502 in the vendor\'s error format naming the upstream (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((done) => closed.close(done));
    const proxy = await proxyTo(url);
    const response = await fetch(`${proxy.base}/v1/models`);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('service_unavailable');
    expect(body.error.message).toContain(url);
    expect(body.error.message).toContain('connection refused');
  });

  it('is a 502 after the timeout when the upstream never answers', async () => {
    const vendor = await upstream(() => ({ status: 200, body: '' }));
    const silent = createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    closers.push(() => new Promise((done) => { silent.closeAllConnections(); silent.close(() => done()); }));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    expect(vendor.url).not.toBe(url);
    const proxy = await proxyTo(url, { proxy: { timeoutMs: 200 } });
    const response = await fetch(`${proxy.base}/v1/models`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('no complete answer within 200 ms');
  });
});

describe('faults in front of the upstream', () => {
  const wellBehaved = () => ({ status: 202, body: JSON.stringify({ id: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', status: 'pending', created: 1778956800, usage: { image_count: 1 } }) });

  it('Prefer: fault=drop-after-commit lets the upstream answer, then drops the answer', async () => {
    const vendor = await upstream(wellBehaved);
    const proxy = await proxyTo(vendor.url);
    const dropped = fetch(`${proxy.base}/v1/images/jobs`, { method: 'POST', headers: { ...headers, Prefer: 'fault=drop-after-commit' }, body: JSON.stringify(job) });
    await expect(dropped).rejects.toThrow();
    expect(vendor.seen).toHaveLength(1);
    expect(vendor.seen[0]!.headers.prefer).toBeUndefined();
  });

  it('an armed fault plan answers before the upstream is asked, then disarms', async () => {
    const vendor = await upstream(wellBehaved);
    const mock = createMockServer({ upstreams: { lumixai: vendor.url } });
    const running = await serve(mock, { port: 0 });
    closers.push(() => running.close({ idleGraceMs: 0 }));
    mock.faults.arm({ api: 'lumixai', operation: 'createImageJob', fault: 'status', status: 503 });
    const first = await fetch(`${running.baseUrl('lumixai')}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify(job) });
    expect(first.status).toBe(503);
    expect(vendor.seen).toHaveLength(0);
    expect((await fetch(`${running.baseUrl('lumixai')}/v1/images/jobs`, { method: 'POST', headers, body: JSON.stringify(job) })).status).toBe(202);
    expect(vendor.seen).toHaveLength(1);
    expect(mock.faults.fired()).toHaveLength(1);
  });
});
