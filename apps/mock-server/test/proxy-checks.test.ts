// Proxied requests are checked by the mock's own stages (body parsers, multipart included, and the
// spec's validator: path parameters, headers, query, body), and answers' header values against
// their schemas. Each row is one request the mock itself would refuse (or accept): the proxy must
// report exactly that, and still forward the caller's bytes untouched.
import { describe, expect, it } from 'vitest';

import { proxyTo, upstream } from './proxy-support.js';

const JOB = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';
const LUMIXAI = { 'X-API-Key': 'a-real-customer-key' };
const USEAPI = { Authorization: 'Bearer a-real-useapi-token' };
const JOB_JSON = { model: 'flux-kontext', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: '1k' };

function form(fields: Record<string, string>): FormData {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  return body;
}

interface Row {
  name: string;
  api: 'lumixai' | 'useapi-luma';
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: () => BodyInit;
  /** What the invalid-request entry's message must contain; undefined: no entry at all. */
  invalid: RegExp | undefined;
}

const ROWS: Row[] = [
  { name: 'a valid multipart body (useapi.net)', api: 'useapi-luma', method: 'POST', path: '/images', headers: USEAPI, body: () => form({ prompt: 'a lighthouse', resolution: '1080p', aspect_ratio: '1:1' }), invalid: undefined },
  { name: 'a multipart field outside its enum', api: 'useapi-luma', method: 'POST', path: '/images', headers: USEAPI, body: () => form({ prompt: 'a lighthouse', resolution: '4k' }), invalid: /resolution/ },
  { name: 'a multipart body missing a required field', api: 'useapi-luma', method: 'POST', path: '/images', headers: USEAPI, body: () => form({ resolution: '1080p' }), invalid: /prompt/ },
  { name: 'a multipart field the schema does not have', api: 'useapi-luma', method: 'POST', path: '/images', headers: USEAPI, body: () => form({ prompt: 'a lighthouse', colour: 'red' }), invalid: /colour/ },
  { name: 'a path parameter that is not a uuid', api: 'lumixai', method: 'GET', path: '/v1/images/jobs/not-a-uuid', headers: LUMIXAI, invalid: /path parameter id/ },
  { name: 'a valid path parameter', api: 'lumixai', method: 'GET', path: `/v1/images/jobs/${JOB}`, headers: LUMIXAI, invalid: undefined },
  { name: 'a request header over its maxLength', api: 'lumixai', method: 'POST', path: '/v1/images/jobs', headers: { ...LUMIXAI, 'Content-Type': 'application/json', 'Idempotency-Key': 'k'.repeat(256) }, body: () => JSON.stringify(JOB_JSON), invalid: /idempotency-key/i },
  { name: 'a valid request header', api: 'lumixai', method: 'POST', path: '/v1/images/jobs', headers: { ...LUMIXAI, 'Content-Type': 'application/json', 'Idempotency-Key': 'retry-1' }, body: () => JSON.stringify(JOB_JSON), invalid: undefined },
  { name: 'a body in a media type the operation does not take', api: 'lumixai', method: 'POST', path: '/v1/images/jobs', headers: { ...LUMIXAI, 'Content-Type': 'text/plain' }, body: () => 'a lighthouse', invalid: /Content-Type text\/plain/ },
];

describe('proxied requests are checked by the mock\'s own stages', () => {
  it.each(ROWS)('$name', async (row) => {
    const vendor = await upstream(() => ({ status: 500, body: '{}' }));
    const proxy = await proxyTo(vendor.url, { upstreams: { lumixai: vendor.url, 'useapi-luma': vendor.url } });
    const request = new Request(`${proxy.running.baseUrl(row.api)}${row.path}`, { method: row.method, headers: row.headers, ...(row.body ? { body: row.body() } : {}) });
    const sentBody = row.body ? Buffer.from(await request.clone().arrayBuffer()).toString('utf8') : '';
    await fetch(request);

    // Forwarded all the same (the vendor decides), bytes as sent.
    expect(vendor.seen).toHaveLength(1);
    expect(vendor.seen[0]!.body).toBe(sentBody);
    const { invalidRequests } = proxy.mock.drift.toJSON();
    if (row.invalid === undefined) expect(invalidRequests).toEqual([]);
    else expect(invalidRequests).toEqual([expect.objectContaining({ api: row.api, message: expect.stringMatching(row.invalid), refused: false })]);
  });

  it('refuses an invalid multipart body in the vendor\'s own words when asked', async () => {
    const vendor = await upstream(() => ({ status: 200, body: '{}' }));
    const proxy = await proxyTo(vendor.url, { upstreams: { 'useapi-luma': vendor.url }, proxy: { refuseInvalidRequests: true } });
    const response = await fetch(`${proxy.running.baseUrl('useapi-luma')}/images`, { method: 'POST', headers: USEAPI, body: form({ prompt: 'a lighthouse', resolution: '4k' }) });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('resolution');
    expect(vendor.seen).toHaveLength(0);
  });
});

describe('answers\' header values are checked against their schemas', () => {
  it('reports a documented header whose value breaks its schema, and one of the wrong type', async () => {
    const vendor = await upstream((seen): { status: number; headers: Record<string, string>; body: string } =>
      seen.url.includes('/download')
        ? { status: 200, headers: { 'Content-Type': 'image/png', 'Content-Disposition': 'inline' }, body: 'PNG' }
        : { status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': 'soon' }, body: JSON.stringify({ error: { type: 'rate_limit_error', message: 'slow down' } }) },
    );
    const proxy = await proxyTo(vendor.url);
    expect((await fetch(`${proxy.base}/v1/images/results/${JOB}/download`, { headers: LUMIXAI })).status).toBe(200);
    expect((await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: LUMIXAI })).status).toBe(429);
    const drift = proxy.mock.drift.toJSON().drift.map(({ operation, kind, pointer, example, inferred }) => ({ operation, kind, pointer, example, inferred }));
    expect(drift).toEqual([
      { operation: 'downloadImageResult', kind: 'constraint', pointer: '/headers/Content-Disposition', example: 'inline', inferred: true },
      { operation: 'getImageJob', kind: 'wrong-type', pointer: '/headers/Retry-After', example: 'soon', inferred: true },
    ]);
  });

  it('reads a numeric header as a number: a well-formed value is no drift', async () => {
    const vendor = await upstream(() => ({ status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '12' }, body: JSON.stringify({ error: { type: 'rate_limit_error', message: 'slow down' } }) }));
    const proxy = await proxyTo(vendor.url);
    expect((await fetch(`${proxy.base}/v1/images/jobs/${JOB}`, { headers: LUMIXAI })).status).toBe(429);
    expect(proxy.mock.drift.toJSON().drift).toEqual([]);
  });
});
