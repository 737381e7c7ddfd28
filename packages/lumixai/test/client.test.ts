import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiError, JobFailedError, isApiError } from '@imagegen/client-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type {
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageJob,
  ImageJobCreateResponse,
  JobStatus,
  LumixAIClient,
  LumixAIClientOptions,
  LumixAIErrorType,
  ModelList,
  operations,
} from '../src/index.js';
import {
  IDEMPOTENT_POST_PATHS,
  LumixAIError,
  LumixAIJobFailedError,
  createLumixAIClient,
  resultIdFromDownloadUrl,
} from '../src/index.js';
import { scriptedFetch, rejectionOf, jsonResponse as json } from '@imagegen/client-kit/testing';
import type { Reply } from '@imagegen/client-kit/testing';

// ---------------------------------------------------------------------------------------------
// A fetch that records every request and answers with scripted responses, one per request.
// ---------------------------------------------------------------------------------------------

const BASE_URL = 'https://lumixai.test/api/backend';
const API_KEY = 'air_live_test_key';

/** A client over a scripted fetch; retries record their delay instead of sleeping. */
function setup(replies: readonly Reply[], options: Partial<LumixAIClientOptions> & { withoutApiKey?: true } = {}) {
  const { fetch: fakeFetch, sent } = scriptedFetch(replies);
  const delays: number[] = [];
  let keys = 0;
  const { withoutApiKey, ...overrides } = options;
  const client = createLumixAIClient({
    ...(withoutApiKey ? {} : { apiKey: API_KEY }),
    baseUrl: BASE_URL,
    fetch: fakeFetch,
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
    newIdempotencyKey: () => `generated-key-${++keys}`,
    ...overrides,
  });
  return { client, sent, delays };
}

// ---------------------------------------------------------------------------------------------
// Fixtures, typed by the spec's schemas (values from its examples).
// ---------------------------------------------------------------------------------------------

const JOB_ID = '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30';
const DOWNLOAD_URL = `/v1/images/results/${JOB_ID}/download`;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]);

const REQUEST: ImageGenerationRequest = {
  model: 'imagen-nano-banana-2-flash',
  prompt: 'premium product render on glass, studio lighting',
  aspectRatio: '16:9',
  resolution: '2k',
  seed: 42,
};

const CREATED: ImageJobCreateResponse = { id: JOB_ID, status: 'pending', created: 1778956800, usage: { image_count: 1 } };

const job = (status: JobStatus, extra: Partial<ImageJob> = {}): ImageJob => ({
  id: JOB_ID,
  status,
  created: 1778956800,
  usage: { image_count: 1 },
  ...extra,
});
const DONE = job('done', { completed: 1778956842, data: [{ download_url: DOWNLOAD_URL }] });
const FAILED = job('error', { completed: 1778956811, error: 'Image generation failed upstream.' });

const GENERATED: ImageGenerationResponse = {
  created: 1778956800,
  data: [{ download_url: DOWNLOAD_URL }],
  usage: { image_count: 1 },
};

const MODELS: ModelList = {
  data: [
    {
      slug: 'imagen-nano-banana-2-flash',
      display_name: 'Nano Banana 2',
      modality: 'image',
      aspect_ratios: ['1:1', '16:9', '9:16'],
      default_aspect_ratio: '1:1',
      resolutions: ['1k', '2k', '4k'],
      default_resolution: '1k',
      max_resolution: '2k',
      group: 'Google',
      timing: '~29s',
      unlimited: true,
      max_n: 1,
      image_credit_micros_per_unit: 5000000,
      public: true,
      active: true,
    },
  ],
};

const png = (headers: Record<string, string> = {}): Response =>
  new Response(PNG, {
    status: 200,
    headers: {
      'Content-Type': 'image/png',
      'Content-Disposition': `attachment; filename="lumixai-${JOB_ID}.png"`,
      ...headers,
    },
  });

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

describe('what each method sends', () => {
  it.each<{
    name: string;
    call: (client: LumixAIClient) => Promise<unknown>;
    reply: () => Response;
    method: 'GET' | 'POST';
    path: string;
    body: unknown;
    idempotencyKey: string | null;
    result: unknown;
  }>([
    {
      name: 'listModels',
      call: (c) => c.listModels(),
      reply: () => json(200, MODELS),
      method: 'GET',
      path: '/api/backend/v1/models',
      body: undefined,
      idempotencyKey: null,
      result: MODELS.data,
    },
    {
      name: 'createJob',
      call: (c) => c.createJob(REQUEST),
      reply: () => json(202, CREATED),
      method: 'POST',
      path: '/api/backend/v1/images/jobs',
      body: REQUEST,
      idempotencyKey: 'generated-key-1',
      result: CREATED,
    },
    {
      name: 'createJob with the caller’s idempotency key',
      call: (c) => c.createJob(REQUEST, { idempotencyKey: 'caller-key' }),
      reply: () => json(202, CREATED),
      method: 'POST',
      path: '/api/backend/v1/images/jobs',
      body: REQUEST,
      idempotencyKey: 'caller-key',
      result: CREATED,
    },
    {
      name: 'getJob',
      call: (c) => c.getJob(JOB_ID),
      reply: () => json(200, DONE),
      method: 'GET',
      path: `/api/backend/v1/images/jobs/${JOB_ID}`,
      body: undefined,
      idempotencyKey: null,
      result: DONE,
    },
    {
      name: 'getJob with an id that needs escaping',
      call: (c) => c.getJob('a b/c?d'),
      reply: () => json(200, DONE),
      method: 'GET',
      path: '/api/backend/v1/images/jobs/a%20b%2Fc%3Fd',
      body: undefined,
      idempotencyKey: null,
      result: DONE,
    },
    {
      name: 'generate',
      call: (c) => c.generate(REQUEST),
      reply: () => json(200, GENERATED),
      method: 'POST',
      path: '/api/backend/v1/images/generations',
      body: REQUEST,
      idempotencyKey: 'generated-key-1',
      result: GENERATED,
    },
    {
      name: 'generate with the caller’s idempotency key',
      call: (c) => c.generate(REQUEST, { idempotencyKey: 'caller-key' }),
      reply: () => json(200, GENERATED),
      method: 'POST',
      path: '/api/backend/v1/images/generations',
      body: REQUEST,
      idempotencyKey: 'caller-key',
      result: GENERATED,
    },
    {
      name: 'download',
      call: async (c) => (await c.download(DOWNLOAD_URL)).bytes,
      reply: () => png(),
      method: 'GET',
      path: `/api/backend/v1/images/results/${JOB_ID}/download`,
      body: undefined,
      idempotencyKey: null,
      result: PNG,
    },
  ])('$name: $method $path', async ({ call, reply, method, path: expectedPath, body, idempotencyKey, result }) => {
    const { client, sent } = setup([reply()]);

    await expect(call(client)).resolves.toEqual(result);

    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.method).toBe(method);
    expect(request?.url).toBe(`https://lumixai.test${expectedPath}`);
    expect(request?.headers.get('x-api-key')).toBe(API_KEY);
    expect(request?.headers.get('idempotency-key')).toBe(idempotencyKey);
    if (body === undefined) {
      expect(request?.body).toBe('');
      expect(request?.headers.has('content-type')).toBe(false);
    } else {
      expect(JSON.parse(request?.body ?? 'null')).toEqual(body);
      expect(request?.headers.get('content-type')).toBe('application/json');
    }
  });

  it('lists models without an apiKey, sending no X-API-Key', async () => {
    const { client, sent } = setup([json(200, MODELS)], { withoutApiKey: true });

    await expect(client.listModels()).resolves.toEqual(MODELS.data);

    expect(sent[0]?.headers.has('x-api-key')).toBe(false);
  });

  it('sends no X-API-Key anywhere without an apiKey, so the server answers authentication_error', async () => {
    const unauthenticated = { error: { type: 'authentication_error', message: 'missing or invalid API key' } };
    const { client, sent } = setup([json(401, unauthenticated)], { withoutApiKey: true });

    const error = await rejectionOf(client.createJob(REQUEST));

    expect(error).toBeInstanceOf(LumixAIError);
    expect(error).toMatchObject({ status: 401, code: 'authentication_error' });
    expect(sent[0]?.headers.has('x-api-key')).toBe(false);
  });

  it('keeps an X-API-Key the caller set on a raw request', async () => {
    const { client, sent } = setup([json(200, MODELS)]);

    await client.raw.GET('/v1/models', { headers: { 'X-API-Key': 'other-key' } });

    expect(sent[0]?.headers.get('x-api-key')).toBe('other-key');
  });

  it('strips a trailing slash from baseUrl', async () => {
    const { client, sent } = setup([json(200, MODELS)], { baseUrl: `${BASE_URL}/` });

    await client.listModels();

    expect(sent[0]?.url).toBe(`${BASE_URL}/v1/models`);
  });
});

describe('Idempotency-Key', () => {
  it.each(IDEMPOTENT_POST_PATHS)('is added to every raw POST %s', async (postPath) => {
    const { client, sent } = setup([json(202, CREATED)]);

    await client.raw.POST(postPath, { body: REQUEST });

    expect(sent[0]?.headers.get('idempotency-key')).toBe('generated-key-1');
  });

  it('lists exactly the two job-creating POSTs', () => {
    expect([...IDEMPOTENT_POST_PATHS].sort()).toEqual(['/v1/images/generations', '/v1/images/jobs']);
  });

  it.each([
    { name: 'createJob', call: (c: LumixAIClient) => c.createJob(REQUEST), reply: () => json(202, CREATED) },
    { name: 'generate', call: (c: LumixAIClient) => c.generate(REQUEST), reply: () => json(200, GENERATED) },
  ])('is a fresh key for each $name call', async ({ call, reply }) => {
    const { client, sent } = setup([reply(), reply()]);

    await call(client);
    await call(client);

    expect(sent.map((request) => request.headers.get('idempotency-key'))).toEqual([
      'generated-key-1',
      'generated-key-2',
    ]);
  });

  it('defaults to a random UUID per call', async () => {
    const { client, sent } = setup([json(202, CREATED), json(202, CREATED)], { newIdempotencyKey: undefined });

    await client.createJob(REQUEST);
    await client.createJob(REQUEST);

    const [first, second] = sent.map((request) => request.headers.get('idempotency-key'));
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second).toMatch(/^[0-9a-f]{8}-/);
    expect(second).not.toBe(first);
  });

  it('keeps a key the caller set on a raw request', async () => {
    const { client, sent } = setup([json(202, CREATED)]);

    await client.raw.POST('/v1/images/jobs', { body: REQUEST, params: { header: { 'Idempotency-Key': 'raw-key' } } });

    expect(sent[0]?.headers.get('idempotency-key')).toBe('raw-key');
  });
});

// ---------------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------------

type Responses<Op extends keyof operations> = operations[Op]['responses'];
type ErrorEnvelope<T extends string = string> = { content: { 'application/json': { error: { type: T } } } };
/** The statuses of `Op` whose documented body is an error envelope. */
type ErrorStatus<Op extends keyof operations> = {
  [S in keyof Responses<Op>]: Responses<Op>[S] extends ErrorEnvelope ? S : never;
}[keyof Responses<Op>];
type ErrorTypeAt<Op extends keyof operations, S extends keyof Responses<Op>> =
  Responses<Op>[S] extends ErrorEnvelope<infer T> ? T : never;

/**
 * Every documented error status of every operation, and the `error.type` it carries.
 * `satisfies` makes the table exact against the types generated from the spec (a missing or extra
 * status, or a wrong type, fails to compile); the test below also checks it against the YAML.
 */
const DOCUMENTED_ERRORS = {
  listModels: {},
  createImageJob: {
    400: 'validation_error',
    401: 'authentication_error',
    402: 'insufficient_credits_error',
    403: 'permission_denied_error',
    409: 'idempotency_conflict',
    429: 'rate_limit_error',
    503: 'service_unavailable',
  },
  getImageJob: {
    400: 'validation_error',
    401: 'authentication_error',
    403: 'permission_denied_error',
    404: 'resource_not_found_error',
    429: 'rate_limit_error',
    503: 'service_unavailable',
  },
  downloadImageResult: {
    400: 'validation_error',
    401: 'authentication_error',
    403: 'permission_denied_error',
    404: 'resource_not_found_error',
    429: 'rate_limit_error',
    503: 'service_unavailable',
  },
  generateImage: {
    400: 'validation_error',
    401: 'authentication_error',
    402: 'insufficient_credits_error',
    403: 'permission_denied_error',
    409: 'idempotency_conflict',
    429: 'rate_limit_error',
    503: 'service_unavailable',
  },
} as const satisfies { [Op in keyof operations]: { [S in ErrorStatus<Op>]: ErrorTypeAt<Op, S> } };

/** How the client calls each operation. */
const CALLS = {
  listModels: (c) => c.listModels(),
  createImageJob: (c) => c.createJob(REQUEST),
  getImageJob: (c) => c.getJob(JOB_ID),
  downloadImageResult: (c) => c.download(DOWNLOAD_URL),
  generateImage: (c) => c.generate(REQUEST),
} satisfies Record<keyof operations, (client: LumixAIClient) => Promise<unknown>>;

const ERROR_ROWS = Object.entries(DOCUMENTED_ERRORS).flatMap(([operation, errors]) =>
  Object.entries(errors as Record<string, LumixAIErrorType>).map(([status, type]) => ({
    operation: operation as keyof operations,
    status: Number(status),
    type,
  })),
);

/**
 * Reads `operationId → { status: error.type }` off the spec's text. The spec is hand-written in
 * one layout (block YAML, `'4xx': $ref: '#/components/responses/…'`, an example per response),
 * which is all this relies on; `yaml` is not a dependency of this package.
 */
function documentedErrorsInSpec(yamlText: string): Record<string, Record<string, string>> {
  const componentsAt = yamlText.indexOf('\ncomponents:\n');
  const responsesAt = yamlText.indexOf('\n  responses:\n', componentsAt);
  const endOfResponses = yamlText.slice(responsesAt + 1).search(/\n {2}\w+:\n/) + responsesAt + 1;
  const typeOfResponse = new Map<string, string>();
  for (const block of yamlText.slice(responsesAt, endOfResponses).split(/\n(?= {4}\w+:\n)/).slice(1)) {
    const name = /^ {4}(\w+):/.exec(block)?.[1];
    const type = /\n\s+error:\n\s+type: (\w+)/.exec(block)?.[1];
    if (name !== undefined && type !== undefined) typeOfResponse.set(name, type);
  }
  const result: Record<string, Record<string, string>> = {};
  for (const operation of yamlText.slice(0, componentsAt).split(/\n(?=\s+operationId: )/).slice(1)) {
    const operationId = /operationId: (\w+)/.exec(operation)?.[1] ?? '';
    const errors: Record<string, string> = {};
    for (const [, status = '', ref = ''] of operation.matchAll(/'(\d{3})':\n\s+\$ref: '#\/components\/responses\/(\w+)'/g)) {
      errors[status] = typeOfResponse.get(ref) ?? `<no error.type in components.responses.${ref}>`;
    }
    result[operationId] = errors;
  }
  return result;
}

describe('error mapping', () => {
  it('covers what spec/lumixai/openapi.yaml documents, status by status', async () => {
    const specPath = createRequire(import.meta.url).resolve('@imagegen/spec/lumixai/openapi.yaml');
    const spec = documentedErrorsInSpec(await readFile(specPath, 'utf8'));

    expect(spec).toEqual(
      Object.fromEntries(
        Object.entries(DOCUMENTED_ERRORS).map(([operation, errors]) => [
          operation,
          Object.fromEntries(Object.entries(errors).map(([status, type]) => [String(status), type])),
        ]),
      ),
    );
  });

  it('covers the eight documented error types', () => {
    expect(new Set(ERROR_ROWS.map((row) => row.type))).toEqual(
      new Set([
        'validation_error',
        'authentication_error',
        'insufficient_credits_error',
        'permission_denied_error',
        'resource_not_found_error',
        'idempotency_conflict',
        'rate_limit_error',
        'service_unavailable',
      ]),
    );
  });

  it.each(ERROR_ROWS)('$operation: HTTP $status → LumixAIError code $type', async ({ operation, status, type }) => {
    const envelope = { error: { type, message: `the server says ${type}` } };
    const headers: Record<string, string> = status === 429 ? { 'Retry-After': '12', 'X-Request-Id': 'req_1' } : {};
    const { client, sent } = setup([json(status, envelope, headers)], { retry: false });

    const error = await rejectionOf(CALLS[operation](client));

    expect(error).toBeInstanceOf(LumixAIError);
    expect(error).toBeInstanceOf(ApiError);
    expect(isApiError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'LumixAIError',
      status,
      code: type,
      message: `the server says ${type}`,
      body: envelope,
      retryAfterMs: status === 429 ? 12_000 : undefined,
    });
    expect((error as LumixAIError).headers.get('retry-after')).toBe(status === 429 ? '12' : null);
    expect(sent).toHaveLength(1);
  });

  it.each<{ name: string; reply: () => Response; status: number; body: unknown; message?: string }>([
    {
      name: 'a plain-text body',
      reply: () => new Response('Bad Gateway', { status: 502, headers: { 'Content-Type': 'text/plain' } }),
      status: 502,
      body: 'Bad Gateway',
      message: 'LumixAI answered HTTP 502: Bad Gateway',
    },
    {
      name: 'an HTML error page',
      reply: () => new Response('<html><body>oops</body></html>', { status: 500, headers: { 'Content-Type': 'text/html' } }),
      status: 500,
      body: '<html><body>oops</body></html>',
    },
        {
      name: 'JSON without an error key',
      reply: () => json(503, { message: 'down' }),
      status: 503,
      body: { message: 'down' },
      message: 'LumixAI answered HTTP 503: down',
    },
    // The mock's routing hint has this shape: its words reach the caller.
    { name: 'a string error', reply: () => json(400, { error: 'bad' }), status: 400, body: { error: 'bad' }, message: 'LumixAI answered HTTP 400: bad' },
    { name: 'JSON null', reply: () => json(500, null), status: 500, body: null },
    {
      name: 'an empty body',
      reply: () => new Response(null, { status: 503, headers: { 'Content-Length': '0' } }),
      status: 503,
      body: undefined,
    },
    {
      name: 'a non-string error.type',
      reply: () => json(400, { error: { type: 7, message: 'odd' } }),
      status: 400,
      body: { error: { type: 7, message: 'odd' } },
      message: 'odd',
    },
  ])('$name → code undefined, status kept, a helpful message', async ({ reply, status, body, message }) => {
    const { client } = setup([reply()], { retry: false });

    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toBeInstanceOf(LumixAIError);
    expect(error).toMatchObject({ status, code: undefined, body });
    expect((error as Error).message).toBe(message ?? `LumixAI answered HTTP ${status} without an error envelope`);
  });
});

// ---------------------------------------------------------------------------------------------
// Retries through the client
// ---------------------------------------------------------------------------------------------

const SERVICE_UNAVAILABLE = () => json(503, { error: { type: 'service_unavailable', message: 'unavailable' } });
const rateLimited = (retryAfter: string) =>
  json(429, { error: { type: 'rate_limit_error', message: 'rate limit exceeded' } }, { 'Retry-After': retryAfter });

describe('retries', () => {
  it('503 then 202 on createJob: one job, two requests, the same Idempotency-Key and body', async () => {
    const { client, sent, delays } = setup([SERVICE_UNAVAILABLE(), json(202, CREATED)]);

    await expect(client.createJob(REQUEST)).resolves.toEqual(CREATED);

    expect(sent).toHaveLength(2);
    expect(sent.map((request) => request.headers.get('idempotency-key'))).toEqual([
      'generated-key-1',
      'generated-key-1',
    ]);
    expect(sent.map((request) => JSON.parse(request.body))).toEqual([REQUEST, REQUEST]);
    expect(delays).toHaveLength(1);
  });

  it('reuses the caller’s key on every attempt of generate', async () => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), rateLimited('0'), json(200, GENERATED)]);

    await expect(client.generate(REQUEST, { idempotencyKey: 'caller-key' })).resolves.toEqual(GENERATED);

    expect(sent.map((request) => request.headers.get('idempotency-key'))).toEqual([
      'caller-key',
      'caller-key',
      'caller-key',
    ]);
  });

  it.each([
    { name: 'createJob', call: (c: LumixAIClient) => c.createJob(REQUEST), ok: () => json(202, CREATED) },
    { name: 'getJob', call: (c: LumixAIClient) => c.getJob(JOB_ID), ok: () => json(200, DONE) },
    { name: 'listModels', call: (c: LumixAIClient) => c.listModels(), ok: () => json(200, MODELS) },
  ])('$name waits as long as a 429’s Retry-After: 1 says', async ({ call, ok }) => {
    const { client, sent, delays } = setup([rateLimited('1'), ok()]);

    await call(client);

    expect(delays).toEqual([1000]);
    expect(sent).toHaveLength(2);
  });

  it.each(
    [400, 401, 402, 403, 409].flatMap((status) => [
      { status, name: 'createJob', call: (c: LumixAIClient) => c.createJob(REQUEST) },
      { status, name: 'generate', call: (c: LumixAIClient) => c.generate(REQUEST) },
    ]),
  )('$name: $status is never retried', async ({ status, call }) => {
    const { client, sent, delays } = setup([
      json(status, { error: { type: 'validation_error', message: 'no' } }),
      json(202, CREATED),
    ]);

    const error = await rejectionOf(call(client));

    expect(error).toMatchObject({ status });
    expect(sent).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it.each([400, 401, 404])('getJob: %i is never retried', async (status) => {
    const { client, sent } = setup([json(status, { error: { type: 'validation_error', message: 'no' } }), json(200, DONE)]);

    await expect(client.getJob(JOB_ID)).rejects.toMatchObject({ status });
    expect(sent).toHaveLength(1);
  });

  it.each([
    { name: 'createJob', call: (c: LumixAIClient) => c.createJob(REQUEST) },
    { name: 'generate', call: (c: LumixAIClient) => c.generate(REQUEST) },
    { name: 'getJob', call: (c: LumixAIClient) => c.getJob(JOB_ID) },
    { name: 'listModels', call: (c: LumixAIClient) => c.listModels() },
  ])('retry: false sends $name once', async ({ call }) => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), SERVICE_UNAVAILABLE()], { retry: false });

    await expect(call(client)).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(sent).toHaveLength(1);
  });

  it('gives up after 4 attempts by default and throws the last answer', async () => {
    const { client, sent, delays } = setup([
      SERVICE_UNAVAILABLE(),
      SERVICE_UNAVAILABLE(),
      SERVICE_UNAVAILABLE(),
      rateLimited('3'),
      json(200, DONE),
    ]);

    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toMatchObject({ status: 429, code: 'rate_limit_error', retryAfterMs: 3000 });
    expect(sent).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it('passes the retry options on', async () => {
    const retried: number[] = [];
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), SERVICE_UNAVAILABLE(), json(200, DONE)], {
      retry: { maxAttempts: 2, sleep: async () => undefined, onRetry: (info) => retried.push(info.attempt) },
    });

    await expect(client.getJob(JOB_ID)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(2);
    expect(retried).toEqual([1]);
  });
});

// ---------------------------------------------------------------------------------------------
// waitForJob
// ---------------------------------------------------------------------------------------------

describe('waitForJob', () => {
  it('polls pending → running → done, returns the done job and reports each status', async () => {
    const { client, sent } = setup([json(200, job('pending')), json(200, job('running')), json(200, DONE)]);
    const sleeps: number[] = [];
    const statuses: [JobStatus, number][] = [];

    const done = await client.waitForJob(JOB_ID, {
      intervalMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onStatus: (polled, info) => statuses.push([polled.status, info.attempt]),
    });

    expect(done).toEqual(DONE);
    expect(statuses).toEqual([
      ['pending', 1],
      ['running', 2],
      ['done', 3],
    ]);
    expect(sleeps).toEqual([100, 150]);
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual(
      Array(3).fill(`GET /api/backend/v1/images/jobs/${JOB_ID}`),
    );
  });

  it.each<{ name: string; final: ImageJob; message: string }>([
    { name: 'error with the vendor message', final: FAILED, message: 'Image generation failed upstream.' },
    { name: 'error without a message', final: job('error'), message: `LumixAI job ${JOB_ID} ended with status error` },
    {
      name: 'error even though data is present',
      final: job('error', { error: 'upscale failed', data: [{ download_url: DOWNLOAD_URL }] }),
      message: 'upscale failed',
    },
    { name: 'done without data', final: job('done'), message: `LumixAI job ${JOB_ID} ended with status done` },
    { name: 'done with empty data', final: job('done', { data: [] }), message: `LumixAI job ${JOB_ID} ended with status done` },
  ])('$name → LumixAIJobFailedError carrying the job', async ({ final, message }) => {
    const { client } = setup([json(200, job('running')), json(200, final)]);

    const error = await rejectionOf(client.waitForJob(JOB_ID, { sleep: async () => undefined }));

    expect(error).toBeInstanceOf(LumixAIJobFailedError);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ name: 'LumixAIJobFailedError', job: final, message });
  });

  it('rejects promptly with the abort reason while sleeping between polls', async () => {
    const { client, sent } = setup([json(200, job('pending')), json(200, DONE)]);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const startedAt = performance.now();

    const error = await rejectionOf(
      // The real sleep, with an interval far longer than the test's timeout.
      client.waitForJob(JOB_ID, { intervalMs: 60_000, signal: controller.signal, onStatus: () => controller.abort(reason) }),
    );

    expect(error).toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(sent).toHaveLength(1);
  });

  it('rejects promptly with the abort reason while a poll is in flight', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    let requestSignal: AbortSignal | undefined;
    const { client } = setup([
      (request) => {
        requestSignal = request.signal;
        setTimeout(() => controller.abort(reason), 0);
        return new Promise<Response>(() => undefined); // a server that never answers
      },
    ]);

    const error = await rejectionOf(client.waitForJob(JOB_ID, { signal: controller.signal }));

    expect(error).toBe(reason);
    expect(requestSignal?.aborted).toBe(true);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { client, sent } = setup([json(200, DONE)]);
    const reason = new Error('already aborted');

    await expect(client.waitForJob(JOB_ID, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it('throws the LumixAIError of a failed poll', async () => {
    const notFound = { error: { type: 'resource_not_found_error', message: 'image job not found' } };
    const { client } = setup([json(404, notFound)]);

    await expect(client.waitForJob(JOB_ID)).rejects.toMatchObject({ status: 404, code: 'resource_not_found_error' });
  });
});

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

describe('download', () => {
  it('returns the bytes, the Content-Type and the file name from Content-Disposition', async () => {
    const { client } = setup([png()]);

    const image = await client.download(DOWNLOAD_URL);

    expect(image).toEqual({ bytes: PNG, contentType: 'image/png', filename: `lumixai-${JOB_ID}.png` });
    expect(image.bytes).toBeInstanceOf(Uint8Array);
  });

  it.each<{ name: string; headers: Record<string, string>; contentType: string; filename: string | undefined }>([
    { name: 'no Content-Disposition', headers: { 'Content-Disposition': '' }, contentType: 'image/png', filename: undefined },
    {
      name: 'an RFC 5987 file name',
      headers: { 'Content-Disposition': `attachment; filename="x.png"; filename*=UTF-8''na%C3%AFve.png` },
      contentType: 'image/png',
      filename: 'naïve.png',
    },
    {
      name: 'a file name with a directory',
      headers: { 'Content-Disposition': 'attachment; filename="../../etc/passwd"' },
      contentType: 'image/png',
      filename: 'passwd',
    },
    { name: 'no Content-Type', headers: { 'Content-Type': '' }, contentType: 'application/octet-stream', filename: `lumixai-${JOB_ID}.png` },
  ])('$name', async ({ headers, contentType, filename }) => {
    const response = png();
    for (const [name, value] of Object.entries(headers)) {
      if (value === '') response.headers.delete(name);
      else response.headers.set(name, value);
    }
    const { client } = setup([response]);

    const image = await client.download(DOWNLOAD_URL);

    expect(image.contentType).toBe(contentType);
    expect(image.filename).toBe(filename);
  });

  it('returns empty bytes for an empty 200', async () => {
    const { client } = setup([new Response(null, { status: 200, headers: { 'Content-Length': '0' } })]);

    const image = await client.download(DOWNLOAD_URL);

    expect(image.bytes).toEqual(new Uint8Array());
  });

  it('downloads an absolute download_url through baseUrl, with the API key', async () => {
    const { client, sent } = setup([png()]);

    await client.download(`https://elsewhere.test/api/backend/v1/images/results/${JOB_ID}/download`);

    expect(sent[0]?.url).toBe(`${BASE_URL}/v1/images/results/${JOB_ID}/download`);
    expect(sent[0]?.headers.get('x-api-key')).toBe(API_KEY);
  });

  it('retries a 503 download', async () => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), png()]);

    await expect(client.download(DOWNLOAD_URL)).resolves.toMatchObject({ bytes: PNG });
    expect(sent).toHaveLength(2);
  });

  it('sends nothing for an invalid download_url', async () => {
    const { client, sent } = setup([png()]);

    await expect(client.download('/v1/images/jobs/abc')).rejects.toThrow(TypeError);
    expect(sent).toHaveLength(0);
  });
});

describe('resultIdFromDownloadUrl', () => {
  it.each([
    { url: DOWNLOAD_URL, id: JOB_ID },
    { url: `/api/backend${DOWNLOAD_URL}`, id: JOB_ID },
    { url: `https://lumixai.test/api/backend${DOWNLOAD_URL}`, id: JOB_ID },
    { url: `${DOWNLOAD_URL}?token=a/b`, id: JOB_ID },
    { url: `https://lumixai.test${DOWNLOAD_URL}?token=x#frag`, id: JOB_ID },
    { url: '/v1/images/results/abc%20def/download', id: 'abc def' },
    { url: '/v1/images/results/a%2Fb/download', id: 'a/b' },
    { url: '/v1/images/results/..x/download', id: '..x' },
  ])('$url → $id', ({ url, id }) => {
    expect(resultIdFromDownloadUrl(url)).toBe(id);
  });

  it.each([
    '',
    'not a url',
    'v1/images/results/abc/download',
    '/v1/images/jobs/abc',
    '/v1/images/results/abc',
    '/v1/images/results//download',
    '/v1/images/results/a/b/download',
    '/v1/images/results/abc/download/extra',
    '/v1/images/results/abc/downloads',
    'https://lumixai.test/v1/images/results/abc/download/',
    // dot segments would be resolved by the URL parser and reach another endpoint with the key
    '/v1/images/results/../download',
    '/v1/images/results/./download',
    '/v1/images/results/%2E%2E/download',
    '/v1/images/results/%2e/download',
    // malformed percent-encoding
    '/v1/images/results/%E0%A4%A/download',
  ])('rejects %j with a TypeError', (url) => {
    expect(() => resultIdFromDownloadUrl(url)).toThrow(TypeError);
  });

  it('names the expected shape in its message', () => {
    expect(() => resultIdFromDownloadUrl('/v1/images/jobs/abc')).toThrow(
      'Not a LumixAI download_url: /v1/images/jobs/abc (expected /v1/images/results/{id}/download)',
    );
  });
});

describe('downloadToFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lumixai-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the image to the file and reports its size', async () => {
    const { client, sent } = setup([png()]);
    const target = path.join(dir, 'out.png');

    const saved = await client.downloadToFile(DOWNLOAD_URL, target);

    expect(saved).toEqual({ path: target, bytes: PNG.byteLength });
    expect(new Uint8Array(await readFile(target))).toEqual(PNG);
    expect(await readdir(dir)).toEqual(['out.png']);
    expect(sent[0]?.path).toBe(`/api/backend/v1/images/results/${JOB_ID}/download`);
  });

  it('throws a LumixAIError and writes nothing when the download fails', async () => {
    const notFound = { error: { type: 'resource_not_found_error', message: 'result not found' } };
    const { client } = setup([json(404, notFound)]);

    await expect(client.downloadToFile(DOWNLOAD_URL, path.join(dir, 'out.png'))).rejects.toMatchObject({
      name: 'LumixAIError',
      status: 404,
      code: 'resource_not_found_error',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// generateAndDownload
// ---------------------------------------------------------------------------------------------

describe('generateAndDownload', () => {
  it('creates the job, waits for it and downloads its first image', async () => {
    const { client, sent } = setup([json(202, CREATED), json(200, job('running')), json(200, DONE), png()]);
    const statuses: JobStatus[] = [];

    const result = await client.generateAndDownload(REQUEST, {
      idempotencyKey: 'caller-key',
      wait: { sleep: async () => undefined, onStatus: (polled) => statuses.push(polled.status) },
    });

    expect(result).toEqual({
      job: DONE,
      image: { bytes: PNG, contentType: 'image/png', filename: `lumixai-${JOB_ID}.png` },
    });
    expect(sent.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /api/backend/v1/images/jobs',
      `GET /api/backend/v1/images/jobs/${JOB_ID}`,
      `GET /api/backend/v1/images/jobs/${JOB_ID}`,
      `GET /api/backend/v1/images/results/${JOB_ID}/download`,
    ]);
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(REQUEST);
    expect(sent[0]?.headers.get('idempotency-key')).toBe('caller-key');
    expect(statuses).toEqual(['running', 'done']);
  });

  it('downloads the first of several results', async () => {
    const second = '1b2c3d4e-0000-4000-8000-000000000000';
    const twoResults = job('done', { data: [{ download_url: DOWNLOAD_URL }, { download_url: `/v1/images/results/${second}/download` }] });
    const { client, sent } = setup([json(202, CREATED), json(200, twoResults), png()]);

    await client.generateAndDownload(REQUEST);

    expect(sent[2]?.path).toBe(`/api/backend/v1/images/results/${JOB_ID}/download`);
  });

  it('throws LumixAIJobFailedError and downloads nothing when the job fails', async () => {
    const { client, sent } = setup([json(202, CREATED), json(200, FAILED), png()]);

    await expect(client.generateAndDownload(REQUEST)).rejects.toMatchObject({
      name: 'LumixAIJobFailedError',
      job: FAILED,
      message: 'Image generation failed upstream.',
    });
    expect(sent).toHaveLength(2);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { client, sent } = setup([json(202, CREATED)]);
    const reason = new Error('already aborted');

    await expect(client.generateAndDownload(REQUEST, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it('stops waiting when the signal aborts between polls', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { client, sent } = setup([json(202, CREATED), json(200, job('pending')), json(200, DONE), png()]);

    const error = await rejectionOf(
      client.generateAndDownload(REQUEST, {
        signal: controller.signal,
        wait: { intervalMs: 60_000, onStatus: () => controller.abort(reason) },
      }),
    );

    expect(error).toBe(reason);
    expect(sent).toHaveLength(2);
  });

  it.each([
    { name: 'wait.signal alone', outer: false },
    { name: 'wait.signal beside an outer signal', outer: true },
  ])('stops waiting when $name aborts', async ({ outer }) => {
    const controller = new AbortController();
    const reason = new Error('caller gave up waiting');
    const { client, sent } = setup([json(202, CREATED), json(200, job('pending')), json(200, DONE), png()]);

    const error = await rejectionOf(
      client.generateAndDownload(REQUEST, {
        signal: outer ? new AbortController().signal : undefined,
        wait: {
          signal: controller.signal,
          onStatus: () => controller.abort(reason),
          sleep: async (_ms, signal) => signal?.throwIfAborted(),
        },
      }),
    );

    expect(error).toBe(reason);
    expect(sent).toHaveLength(2);
  });
});

describe('getJob refuses ids that would address another endpoint', () => {
  it.each(['', '.', '..'])('%j', async (id) => {
    const requests: Request[] = [];
    const client = createLumixAIClient({
      baseUrl: 'http://lumix.test/api/backend',
      apiKey: 'k',
      fetch: async (input) => {
        requests.push(input as Request);
        return new Response('{}', { status: 200 });
      },
    });
    await expect(client.getJob(id)).rejects.toThrow(TypeError);
    expect(requests).toHaveLength(0);
  });
});
