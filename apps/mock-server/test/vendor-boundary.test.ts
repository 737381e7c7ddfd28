// The shared pipeline seen from a vendor: a tiny API that uses every piece of the boundary a real
// vendor folder uses (extra routes, its own status words, its own problem kinds, an hourly rate
// limit with headers, revoked keys, raw validation detail), so each piece is proved once, here.
import express from 'express';
import { describe, expect, it } from 'vitest';

import { KeyRegistry } from '../src/core/api-keys.js';
import { ManualClock } from '../src/core/clock.js';
import { JobStore } from '../src/core/job-store.js';
import { mountVendorApi } from '../src/core/mount-api.js';
import type { ResponseViolation } from '../src/core/mount-api.js';
import type { Problem, ValidationIssue, VendorErrorFormat } from '../src/core/problems.js';
import { problem } from '../src/core/problems.js';
import { RateLimiter } from '../src/core/rate-limiter.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';
import type { MountableApi } from '../src/core/vendor-api.js';
import { outcomeFor, principalOf } from '../src/core/vendor-api.js';
import { listen } from './listen.js';

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['kind', 'message'],
      properties: { kind: { type: 'string' }, message: { type: 'string' }, issues: { type: 'array' } },
    },
  },
};
const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const rateHeaders = { 'X-Limit': { schema: { type: 'integer' } }, 'X-Remaining': { schema: { type: 'integer' } } };

const doc: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Toy', version: '1' },
  servers: [{ url: 'https://toy.example/api' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: errorBody,
      Form: {
        type: 'object',
        required: ['model_id'],
        properties: {
          model_id: { type: 'string' },
          guidance_scale: { type: 'number', maximum: 20 },
          request_id: { type: 'integer' },
          ids: { type: 'array', items: { type: 'integer' } },
          flag: { type: 'boolean' },
          image: { type: 'string', format: 'binary' },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/jobs': {
      post: {
        operationId: 'createJob',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['model'],
                additionalProperties: false,
                properties: { model: { type: 'string', enum: ['small', 'large'] }, prompt: { type: 'string', maxLength: 8 } },
              },
            },
          },
        },
        responses: {
          '201': { description: 'created', headers: rateHeaders, content: { 'application/json': { schema: { type: 'object' } } } },
          '400': error('invalid'),
          '401': error('no key'),
          '429': error('limited'),
          '503': error('busy'),
        },
      },
    },
    '/forms': {
      post: {
        operationId: 'echoForm',
        security: [],
        requestBody: {
          required: true,
          content: Object.fromEntries(
            ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'].map((type) => [type, { schema: { $ref: '#/components/schemas/Form' } }]),
          ),
        },
        responses: { '200': { description: 'echo', content: { 'application/json': { schema: { type: 'object' } } } }, '400': error('invalid') },
      },
    },
    '/jobs/{id}': {
      get: {
        operationId: 'getJob',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'job', content: { 'application/json': { schema: { type: 'object' } } } }, '401': error('no key'), '404': error('none') },
      },
    },
  },
};

/** Every problem as `{ error: { kind, message, issues } }`; statuses by kind, the toy's own `capacity` included. */
const STATUS: Record<string, number> = { validation: 400, authentication: 401, not_found: 404, method_not_allowed: 404, rate_limited: 429, capacity: 503 };
const toyErrors: VendorErrorFormat<'capacity'> = {
  kinds: ['capacity'],
  render(found: Problem) {
    const status = STATUS[found.kind];
    if (status === undefined) throw new Error(`toy has no status for ${found.kind}`);
    return { status, body: { error: { kind: found.kind, message: found.message, ...(found.issues ? { issues: found.issues } : {}), ...(found.code ? { code: found.code } : {}), ...(found.tooLarge ? { tooLarge: true } : {}) } } };
  },
  forStatus: () => undefined,
};

function toyVendor(clock: ManualClock): { api: MountableApi; jobs: JobStore<null> } {
  const jobs = new JobStore<null>(clock, { resultRetentionMs: 60_000, jobRetentionMs: 60_000 });
  const api: MountableApi = {
    slug: 'toy',
    doc,
    keys: new KeyRegistry([{ key: 'good', description: '2/hour' }, { key: 'old', revoked: true }]),
    errors: toyErrors,
    jobStatuses: { queued: 'waiting', running: 'busy', succeeded: 'ready', failed: 'broken', cancelled: 'dropped' },
    failureCodes: ['nsfw', 'oom'],
    rateLimit: {
      windowMs: 60 * 60 * 1000,
      // Polls are never counted, as with vendors whose limit covers only job creation.
      limitOf: (principal, operation) => (principal.key === 'good' && operation.operationId !== 'getJob' ? 2 : undefined),
      unauthenticatedLimit: 2,
      headers: (state) => ({ 'X-Limit': String(state.limit), 'X-Remaining': String(state.remaining) }),
    },
    handlers: {
      createJob(req, res) {
        const body = req.body as { prompt?: string };
        if (body.prompt === 'full') throw problem('capacity', 'all workers busy');
        const job = jobs.create({ owner: principalOf(req).workspace, input: null, timing: { queuedMs: 0, runningMs: 1000 }, ...outcomeFor(req, { code: 'oom', message: 'out of memory' }) });
        res.status(201).json({ id: job.id });
      },
      echoForm(req, res) {
        res.json({ body: req.body as unknown, uploads: req.mock!.uploads.map((u) => ({ field: u.field, filename: u.filename, mimeType: u.mimeType, size: u.bytes.length })) });
      },
      getJob(req, res) {
        const job = jobs.get(String(req.params.id), principalOf(req).workspace);
        if (!job) throw problem('not_found', 'no such job');
        res.json({ id: job.id, phase: jobs.phase(job), failure: job.failure });
      },
    },
    routes: [
      {
        method: 'GET',
        path: '/files/{name}',
        handler(req, res) {
          if (req.params.name === 'missing') throw problem('not_found', `no file ${String(req.params.name)}`);
          res.type('text/plain').send(`file ${String(req.params.name)}`);
        },
      },
    ],
  };
  return { api, jobs };
}

async function startToy() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const { api, jobs } = toyVendor(clock);
  const app = express();
  const violations: ResponseViolation[] = [];
  const internal: unknown[] = [];
  const prefix = mountVendorApi(app, api, {
    rateLimiter: new RateLimiter(clock),
    bodyLimit: '1mb',
    validateResponses: true,
    onViolation: (violation) => violations.push(violation),
    onInternalError: (thrown) => internal.push(thrown),
  });
  const { url } = await listen(app);
  const call = (path: string, init: RequestInit & { key?: string | null; json?: unknown } = {}) => {
    const { key = 'good', json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== null) headers.set('Authorization', `Bearer ${key}`);
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    return fetch(`${url}${path}`, { ...rest, method: rest.method ?? (json === undefined ? 'GET' : 'POST'), headers, body: json === undefined ? rest.body : JSON.stringify(json) });
  };
  return { url, prefix, clock, jobs, violations, internal, call };
}

type ToyError = { error: { kind: string; message: string; issues?: ValidationIssue[]; code?: string; tooLarge?: boolean } };

describe('mounting: operations below /<slug><base path>, extra routes below /<slug>', () => {
  it('mounts the operations at the spec base path, even when the server URL is absolute', async () => {
    const toy = await startToy();
    expect(toy.prefix).toBe('/toy/api');
    expect((await toy.call('/toy/api/jobs', { json: { model: 'small' } })).status).toBe(201);
  });

  it.each([
    { name: 'GET an extra route, without any key', method: 'GET', path: '/toy/files/a.png', status: 200, text: 'file a.png' },
    { name: 'HEAD of a GET route: headers, no body', method: 'HEAD', path: '/toy/files/a.png', status: 200, text: '' },
    { name: 'its own not_found, in the vendor format', method: 'GET', path: '/toy/files/missing', status: 404, kind: 'not_found' },
    { name: 'a path under /<slug> that nothing serves', method: 'GET', path: '/toy/elsewhere', status: 404, kind: 'not_found' },
    { name: 'another method on the route', method: 'DELETE', path: '/toy/files/a.png', status: 404, kind: 'method_not_allowed' },
  ])('$name', async ({ method, path, status, text, kind }) => {
    const toy = await startToy();
    const response = await toy.call(path, { method, key: null });
    expect(response.status).toBe(status);
    if (text !== undefined) expect(await response.text()).toBe(text);
    else expect(((await response.json()) as ToyError).error.kind).toBe(kind);
    expect(toy.violations).toEqual([]);
  });
});

describe('authentication and the per-API rate limit', () => {
  it('refuses a revoked key with the vendor authentication error, saying it was revoked', async () => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/jobs/x', { key: 'old' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as ToyError).error.message).toMatch(/revoked/);
  });

  it('counts per the API window (an hour here), with its headers on every counted answer', async () => {
    const toy = await startToy();
    const seen: Array<[number, string | null]> = [];
    for (let i = 0; i < 3; i++) {
      const response = await toy.call('/toy/api/jobs', { json: { model: 'small' } });
      seen.push([response.status, response.headers.get('x-remaining')]);
    }
    expect(seen).toEqual([[201, '1'], [201, '0'], [429, '0']]);
    const poll = await toy.call('/toy/api/jobs/unknown');
    expect(poll.status, 'an operation the limit does not cover, after the limit was reached').toBe(404);
    toy.clock.advance(59 * 60 * 1000);
    expect((await toy.call('/toy/api/jobs', { json: { model: 'small' } })).status).toBe(429);
    toy.clock.advance(60 * 1000);
    expect((await toy.call('/toy/api/jobs', { json: { model: 'small' } })).status).toBe(201);
    expect(toy.violations).toEqual([]);
  });
});

describe('requests without a valid key: counted per client address when the API says so', () => {
  it('answers 401s with the rate-limit headers, then 429 past the limit; a valid key keeps its own window', async () => {
    const toy = await startToy();
    const seen: Array<[number, string | null]> = [];
    for (const key of [null, 'nobody', 'old']) {
      const response = await toy.call('/toy/api/jobs', { key, json: { model: 'small' } });
      seen.push([response.status, response.headers.get('x-remaining')]);
    }
    expect(seen).toEqual([[401, '1'], [401, '0'], [429, '0']]);
    expect((await toy.call('/toy/api/jobs', { json: { model: 'small' } })).headers.get('x-remaining')).toBe('1');
    toy.clock.advance(60 * 60 * 1000);
    expect((await toy.call('/toy/api/jobs', { key: null, json: { model: 'small' } })).status).toBe(401);
    expect(toy.violations).toEqual([]);
  });

  it('leaves them uncounted, without headers, when the API sets no unauthenticatedLimit', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const { api } = toyVendor(clock);
    const app = express();
    mountVendorApi(app, { ...api, rateLimit: { ...api.rateLimit!, unauthenticatedLimit: undefined } }, {
      rateLimiter: new RateLimiter(clock),
      bodyLimit: '1mb',
      validateResponses: true,
      onViolation: () => undefined,
      onInternalError: () => undefined,
    });
    const { url } = await listen(app);
    const statuses: Array<[number, string | null]> = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/toy/api/jobs/x`);
      statuses.push([response.status, response.headers.get('x-remaining')]);
    }
    expect(statuses).toEqual([[401, null], [401, null], [401, null]]);
  });
});

describe('Prefer: job-status, read once in core through the API status words', () => {
  it.each([
    { prefer: 'job-status=broken', phase: 'failed', failure: { code: 'oom', message: 'out of memory' } },
    { prefer: 'job-status=broken, job-error-code=nsfw', phase: 'failed', failure: { code: 'nsfw', message: 'out of memory' } },
    { prefer: 'job-status=broken, job-error="quota, then more"', phase: 'failed', failure: { code: 'oom', message: 'quota, then more' } },
    { prefer: 'job-status=dropped', phase: 'cancelled', failure: undefined },
    { prefer: 'job-status=ready', phase: 'succeeded', failure: undefined },
  ])('$prefer -> the job ends $phase', async ({ prefer, phase, failure }) => {
    const toy = await startToy();
    const created = await toy.call('/toy/api/jobs', { json: { model: 'small' }, headers: { Prefer: prefer } });
    const { id } = (await created.json()) as { id: string };
    toy.clock.advance(1000);
    const job = (await (await toy.call(`/toy/api/jobs/${id}`)).json()) as { phase: string; failure?: unknown };
    expect(job).toEqual({ id, phase, ...(failure ? { failure } : {}) });
  });

  it.each([
    { prefer: 'job-status=failed', message: /job-status=failed is not a final status of this API; use one of ready, broken, dropped/ },
    { prefer: 'job-status=busy', message: /use one of ready, broken, dropped/ },
    { prefer: 'job-status=broken, job-error-code=gpu', message: /job-error-code=gpu is not a failure code of this API; use one of nsfw, oom/ },
    { prefer: 'job-error=alone', message: /go with Prefer: job-status/ },
  ])('refuses $prefer in the vendor format, naming what it accepts', async ({ prefer, message }) => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/jobs', { json: { model: 'small' }, headers: { Prefer: prefer } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ToyError).error.message).toMatch(message);
    expect(toy.jobs.size).toBe(0);
  });
});

describe('problems: vendor kinds and raw validation detail', () => {
  it("renders the vendor's own problem kind with its own status", async () => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/jobs', { json: { model: 'small', prompt: 'full' } });
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ error: { kind: 'capacity', message: 'all workers busy' } });
  });

  it.each([
    { name: 'an enum value', body: { model: 'huge' }, issue: { location: 'body', path: ['model'], field: 'model', keyword: 'enum', value: 'huge', allowed: ['small', 'large'] } },
    { name: 'a too-long string', body: { model: 'small', prompt: 'abcdefghij' }, issue: { field: 'prompt', keyword: 'maxLength', value: 'abcdefghij' } },
    { name: 'a missing field', body: {}, issue: { path: ['model'], field: 'model', keyword: 'required' } },
    // A plain-object field map would hand `toString` its inherited function and crash into a 5xx.
    ...['toString', 'constructor', 'hasOwnProperty', 'valueOf'].map((field) => ({
      name: `an unknown field named ${field}`,
      body: { model: 'small', [field]: 1 },
      issue: { field, keyword: 'additionalProperties', value: 1 },
    })),
  ])('keeps the validator detail for $name', async ({ body, issue }) => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/jobs', { json: body });
    expect(response.status).toBe(400);
    const { error: found } = (await response.json()) as ToyError;
    expect(found.issues).toEqual([expect.objectContaining(issue)]);
    expect(found.message).toContain(issue.field);
    expect(toy.internal).toEqual([]);
  });

  it.each([
    { name: 'a body over the body limit is marked tooLarge (apart from the vendor code), for vendors that document a 413', size: 1024 * 1024 + 1, tooLarge: true },
    { name: 'a body within the limit that breaks the schema is not', size: 1024 * 1024 - 64, tooLarge: undefined },
  ])('$name', async ({ size, tooLarge }) => {
    const toy = await startToy();
    const body = JSON.stringify({ model: 'small', prompt: 'x'.repeat(size - JSON.stringify({ model: 'small', prompt: '' }).length) });
    expect(body.length).toBe(size);
    const response = await toy.call('/toy/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    expect(response.status).toBe(400);
    const found = ((await response.json()) as ToyError).error;
    expect(found.tooLarge, found.message).toBe(tooLarge);
    expect(found.code, found.message).toBeUndefined();
  });

  it('an unknown field named __proto__ is a 400 too, never a crash', async () => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/jobs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"model":"small","__proto__":{"x":1}}' });
    expect(response.status).toBe(400);
    expect(toy.internal).toEqual([]);
  });
});

describe('form bodies: typed by the spec per media type, JSON kept strict', () => {
  const form = (fields: Record<string, string | string[]>) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) params.append(name, item);
    return params;
  };
  const multipart = (fields: Record<string, string | string[]>, file?: { name: string; bytes: Uint8Array<ArrayBuffer> }) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) for (const item of [value].flat()) data.append(name, item);
    if (file) data.append(file.name, new Blob([file.bytes], { type: 'image/png' }), 'ref.png');
    return data;
  };
  const fields = { model_id: 'hidream-l1', guidance_scale: '7.5', request_id: '212121212121212', ids: ['1', '2'], flag: 'true' };
  const typed = { model_id: 'hidream-l1', guidance_scale: 7.5, request_id: 212121212121212, ids: [1, 2], flag: true };

  it.each([
    { name: 'application/x-www-form-urlencoded', body: form(fields), expected: typed, uploads: [] },
    { name: 'multipart/form-data', body: multipart(fields), expected: typed, uploads: [] },
    {
      name: 'multipart/form-data with a file',
      body: multipart({ model_id: 'x' }, { name: 'image', bytes: new Uint8Array([1, 2, 3]) }),
      expected: { model_id: 'x', image: '' },
      uploads: [{ field: 'image', filename: 'ref.png', mimeType: 'image/png', size: 3 }],
    },
    { name: 'JSON, already typed', body: JSON.stringify(typed), json: true, expected: typed, uploads: [] },
  ])('$name', async ({ body, json, expected, uploads }) => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/forms', { method: 'POST', key: null, body, headers: json ? { 'Content-Type': 'application/json' } : {} });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ body: expected, uploads });
    expect(toy.violations).toEqual([]);
  });

  it.each([
    { name: 'a JSON number sent as a string stays a string (strict)', body: JSON.stringify({ model_id: 'x', guidance_scale: '7.5' }), type: 'application/json', issue: { field: 'guidance_scale', value: '7.5' } },
    { name: 'a form value that is not a number', body: 'model_id=x&guidance_scale=high', type: 'application/x-www-form-urlencoded', issue: { field: 'guidance_scale', value: 'high' } },
    { name: 'a form number out of range', body: 'model_id=x&guidance_scale=21', type: 'application/x-www-form-urlencoded', issue: { field: 'guidance_scale', keyword: 'maximum', value: 21 } },
    { name: 'an integer beyond 2^53 is not rounded into validity', body: 'model_id=x&request_id=9007199254740993', type: 'application/x-www-form-urlencoded', issue: { field: 'request_id', value: '9007199254740993' } },
    { name: 'a missing required form field', body: 'guidance_scale=1', type: 'application/x-www-form-urlencoded', issue: { field: 'model_id', keyword: 'required' } },
  ])('400 for $name, naming the field and value', async ({ body, type, issue }) => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/forms', { method: 'POST', key: null, body, headers: { 'Content-Type': type } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ToyError).error.issues).toEqual([expect.objectContaining(issue)]);
  });

  it.each([
    { name: 'no boundary', type: 'multipart/form-data', body: 'model_id=x' },
    { name: 'a truncated body', type: 'multipart/form-data; boundary=XyZ', body: '--XyZ\r\nContent-Disposition: form-data; name="model_id"\r\n\r\nx' },
    { name: 'a body over the limit', type: 'multipart/form-data; boundary=XyZ', body: `--XyZ\r\nContent-Disposition: form-data; name="model_id"\r\n\r\n${'x'.repeat(1024 * 1024 + 10)}\r\n--XyZ--\r\n` },
    { name: 'more form parameters than the parser takes', type: 'application/x-www-form-urlencoded', body: Array.from({ length: 1001 }, (_, i) => `f${i}=1`).join('&') },
  ])('a malformed multipart body ($name) is a 400 in the vendor format', async ({ type, body }) => {
    const toy = await startToy();
    const response = await toy.call('/toy/api/forms', { method: 'POST', key: null, body, headers: { 'Content-Type': type } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ToyError).error.kind).toBe('validation');
    expect(toy.internal).toEqual([]);
  });

  it.each([
    { name: 'sent as text/plain', type: 'text/plain', message: 'Unsupported Content-Type text/plain; send application/json or application/x-www-form-urlencoded or multipart/form-data' },
    { name: 'sent without a Content-Type', type: undefined, message: 'Unsupported Content-Type (none); send application/json or application/x-www-form-urlencoded or multipart/form-data' },
  ])('a body $name is refused naming every media type the spec declares for the operation', async ({ type, message }) => {
    const toy = await startToy();
    // Bytes, not a string: fetch would label a string text/plain itself.
    const response = await toy.call('/toy/api/forms', { method: 'POST', key: null, body: new TextEncoder().encode('model_id=x'), headers: type ? { 'Content-Type': type } : {} });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ToyError).error.message).toBe(message);
  });
});
