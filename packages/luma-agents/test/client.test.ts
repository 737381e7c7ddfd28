import { ApiError, DownloadError, JobFailedError, isApiError } from '@imagegen/client-kit';
import { describe, expect, it } from 'vitest';

import type {
  CompletedGeneration,
  Generation,
  GenerationCreateRequest,
  GenerationState,
  LumaAgentsClient,
  LumaAgentsClientOptions,
  operations,
} from '../src/index.js';
import {
  LumaAgentsError,
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  RETRYABLE_STATUSES,
  createLumaAgentsClient,
} from '../src/index.js';
import { DOCUMENTED_STATUSES, FAILURE_CODES } from './fixtures.js';
import { scriptedFetch, rejectionOf, jsonResponse as json } from '@imagegen/client-kit/testing';
import type { Reply, SentRequest } from '@imagegen/client-kit/testing';

// ---------------------------------------------------------------------------------------------
// A fetch that records every request and answers with scripted responses, one per request.
// ---------------------------------------------------------------------------------------------

const BASE_URL = 'https://agents.luma.test/v1';
const API_KEY = 'luma-api-test-key';

/** A client over a scripted fetch; retries record their delay instead of sleeping. */
function setup(replies: readonly Reply[], options: Partial<LumaAgentsClientOptions> = {}) {
  const { fetch: fakeFetch, sent } = scriptedFetch(replies);
  const delays: number[] = [];
  const client = createLumaAgentsClient({
    apiKey: API_KEY,
    baseUrl: BASE_URL,
    fetch: fakeFetch,
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
    ...options,
  });
  return { client, sent, delays };
}

/** `METHOD url` of each request, with whether it carried the API key. */
const trace = (sent: readonly SentRequest[]) =>
  sent.map((request) => `${request.method} ${request.url}${request.headers.has('authorization') ? ' [key]' : ''}`);

// ---------------------------------------------------------------------------------------------
// Fixtures, typed by the spec's schemas.
// ---------------------------------------------------------------------------------------------

const ID = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e';
const STORAGE = 'https://storage.luma.test';
const outputUrl = (n: number, signature = 'sig1') => `${STORAGE}/generations/${ID}/${n}.png?X-Amz-Expires=3600&X-Amz-Signature=${signature}`;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 4, 5, 6]);

const REQUEST: GenerationCreateRequest = {
  prompt: 'A glass of iced coffee on a marble countertop, morning light streaming through a window',
};
const EDIT: GenerationCreateRequest = {
  prompt: 'Turn the sky into a starry night',
  type: 'image_edit',
  model: 'uni-1-max',
  output_format: 'jpeg',
  aspect_ratio: '16:9',
  style: 'manga',
  user_id: 'user-8f3a',
  source: { url: 'https://example.org/street.jpg' },
  image_ref: [{ data: 'iVBORw0KGgo=', media_type: 'image/png' }],
};

const generation = (state: GenerationState, extra: Partial<Generation> = {}): Generation => ({
  id: ID,
  created_at: '2026-05-01T09:30:00Z',
  model: 'uni-1',
  state,
  type: 'image',
  ...extra,
});
const QUEUED = generation('queued');
const completed = (...urls: string[]): CompletedGeneration =>
  generation('completed', { output: urls.map((url) => ({ type: 'image', url })) }) as CompletedGeneration;
const COMPLETED = completed(outputUrl(0));
const FAILED = generation('failed', { failure_code: 'content_moderated', failure_reason: 'The prompt violated the content guidelines.' });

const image = (bytes: Uint8Array<ArrayBuffer>, contentType: string | null = 'image/png'): Response =>
  new Response(bytes, { status: 200, headers: contentType === null ? {} : { 'Content-Type': contentType } });
const expired = (): Response =>
  new Response('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', {
    status: 403,
    headers: { 'Content-Type': 'application/xml' },
  });

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

describe('what each method sends', () => {
  it.each<{ name: string; call: (client: LumaAgentsClient) => Promise<unknown>; reply: () => Response; method: string; url: string; body: unknown; result: unknown }>([
    {
      name: 'createGeneration, the page’s curl example',
      call: (c) => c.createGeneration(REQUEST),
      reply: () => json(201, QUEUED),
      method: 'POST',
      url: `${BASE_URL}/generations`,
      body: REQUEST,
      result: QUEUED,
    },
    {
      name: 'createGeneration with every field',
      call: (c) => c.createGeneration(EDIT),
      reply: () => json(201, QUEUED),
      method: 'POST',
      url: `${BASE_URL}/generations`,
      body: EDIT,
      result: QUEUED,
    },
    {
      name: 'getGeneration',
      call: (c) => c.getGeneration(ID),
      reply: () => json(200, COMPLETED),
      method: 'GET',
      url: `${BASE_URL}/generations/${ID}`,
      body: undefined,
      result: COMPLETED,
    },
    {
      name: 'getGeneration with an id that needs escaping',
      call: (c) => c.getGeneration('a b/c?d'),
      reply: () => json(200, COMPLETED),
      method: 'GET',
      url: `${BASE_URL}/generations/a%20b%2Fc%3Fd`,
      body: undefined,
      result: COMPLETED,
    },
  ])('$name: $method $url with the Bearer key', async ({ call, reply, method, url, body, result }) => {
    const { client, sent } = setup([reply()]);

    await expect(call(client)).resolves.toEqual(result);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method, url });
    expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    if (body === undefined) {
      expect(sent[0]?.body).toBe('');
    } else {
      expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(body);
      expect(sent[0]?.headers.get('content-type')).toBe('application/json');
    }
  });

  it('keeps an Authorization header the caller set on a raw request', async () => {
    const { client, sent } = setup([json(200, QUEUED)]);

    await client.raw.GET('/generations/{id}', { params: { path: { id: ID } }, headers: { Authorization: 'Bearer other' } });

    expect(sent[0]?.headers.get('authorization')).toBe('Bearer other');
  });

  it('strips a trailing slash from baseUrl', async () => {
    const { client, sent } = setup([json(200, QUEUED)], { baseUrl: `${BASE_URL}/` });

    await client.getGeneration(ID);

    expect(sent[0]?.url).toBe(`${BASE_URL}/generations/${ID}`);
  });

  it.each(['', '.', '..'])('getGeneration refuses the id %j, which would address another endpoint', async (id) => {
    const { client, sent } = setup([json(200, QUEUED)]);

    await expect(client.getGeneration(id)).rejects.toThrow(TypeError);
    expect(sent).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Every documented (operation, status)
// ---------------------------------------------------------------------------------------------

const CALLS = {
  createGeneration: (c) => c.createGeneration(REQUEST),
  getGeneration: (c) => c.getGeneration(ID),
} satisfies Record<keyof operations, (client: LumaAgentsClient) => Promise<unknown>>;

const SUCCESS_BODIES = { createGeneration: QUEUED, getGeneration: COMPLETED } satisfies Record<keyof operations, Generation>;

const ROWS = Object.entries(DOCUMENTED_STATUSES).flatMap(([operation, statuses]) =>
  Object.entries(statuses).map(([status, outcome]) => ({ operation: operation as keyof operations, status: Number(status), outcome })),
);

describe('every (operation, status) the spec documents', () => {
  it('covers both operations and fifteen statuses', () => {
    expect(ROWS.map((row) => `${row.operation} ${row.status}`)).toHaveLength(15);
  });

  it.each(ROWS.filter((row) => row.outcome === 'ok'))('$operation: HTTP $status resolves with the Generation', async ({ operation, status }) => {
    const { client, sent } = setup([json(status, SUCCESS_BODIES[operation])]);

    await expect(CALLS[operation](client)).resolves.toEqual(SUCCESS_BODIES[operation]);
    expect(sent).toHaveLength(1);
  });

  it.each(ROWS.filter((row) => row.outcome === 'error'))(
    '$operation: HTTP $status throws LumaAgentsError with its detail, sent once',
    async ({ operation, status }) => {
      const body = { detail: `the server says ${status}` };
      const headers: Record<string, string> = status === 429 ? { 'Retry-After': '12', 'X-Request-Id': 'req_1' } : {};
      // Default retry options on purpose: even 429, 502 and 503 on creation must not be repeated.
      const { client, sent, delays } = setup([json(status, body, headers), json(201, QUEUED), json(200, COMPLETED)]);

      const error = await rejectionOf(CALLS[operation](client));

      expect(error).toBeInstanceOf(LumaAgentsError);
      expect(error).toBeInstanceOf(ApiError);
      expect(isApiError(error)).toBe(true);
      expect(error).toMatchObject({
        name: 'LumaAgentsError',
        status,
        code: undefined,
        detail: `the server says ${status}`,
        message: `the server says ${status}`,
        body,
        retryAfterMs: status === 429 ? 12_000 : undefined,
      });
      if (status === 429) expect(error).toMatchObject({ requestId: 'req_1' });
      expect(sent).toHaveLength(1);
      expect(delays).toEqual([]);
    },
  );
});

describe('error bodies other than { detail: string }', () => {
  it.each<{ name: string; reply: () => Response; detail: string | undefined; message: string }>([
    {
      name: 'a validation list of { loc, msg }',
      reply: () => json(422, { detail: [{ loc: ['body', 'source'], msg: 'provide url or data', type: 'value_error' }, { msg: 'second' }] }),
      detail: 'body.source: provide url or data; second',
      message: 'body.source: provide url or data; second',
    },
    { name: 'a list without messages', reply: () => json(422, { detail: [{}] }), detail: undefined, message: 'Luma Agents answered HTTP 422 without a detail' },
    // The mock's routing hint has this shape: its words reach the caller.
    { name: 'JSON without detail', reply: () => json(400, { error: 'bad' }), detail: undefined, message: 'Luma Agents answered HTTP 400: bad' },
    { name: 'JSON null', reply: () => json(400, null), detail: undefined, message: 'Luma Agents answered HTTP 400 without a detail' },
    {
      name: 'an HTML error page',
      reply: () => new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }),
      detail: undefined,
      message: 'Luma Agents answered HTTP 502 without a detail',
    },
    {
      name: 'an empty body',
      reply: () => new Response(null, { status: 401, headers: { 'Content-Length': '0' } }),
      detail: undefined,
      message: 'Luma Agents answered HTTP 401 without a detail',
    },
  ])('$name', async ({ reply, detail, message }) => {
    const { client } = setup([reply()]);

    const error = await rejectionOf(client.createGeneration(REQUEST));

    expect(error).toBeInstanceOf(LumaAgentsError);
    expect(error).toMatchObject({ detail, message });
  });
});

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

const unavailable = (status: number, retryAfter?: string) =>
  json(status, { detail: 'try later' }, retryAfter === undefined ? {} : { 'Retry-After': retryAfter });

describe('retries', () => {
  it('retries 429, 502 and 503', () => {
    expect([...RETRYABLE_STATUSES]).toEqual([429, 502, 503]);
  });

  it.each(RETRYABLE_STATUSES)('getGeneration: %i then 200 is retried and resolves', async (status) => {
    const { client, sent, delays } = setup([unavailable(status), json(200, COMPLETED)]);

    await expect(client.getGeneration(ID)).resolves.toEqual(COMPLETED);
    expect(sent).toHaveLength(2);
    expect(delays).toHaveLength(1);
  });

  it('getGeneration waits as long as a 429’s Retry-After says', async () => {
    const { client, delays } = setup([unavailable(429, '3'), json(200, COMPLETED)]);

    await client.getGeneration(ID);

    expect(delays).toEqual([3000]);
  });

  it.each([400, 401, 403, 404])('getGeneration: %i is not retried', async (status) => {
    const { client, sent } = setup([json(status, { detail: 'no' }), json(200, COMPLETED)]);

    await expect(client.getGeneration(ID)).rejects.toMatchObject({ status });
    expect(sent).toHaveLength(1);
  });

  describe('creation is never retried: Luma documents no idempotency mechanism', () => {
    it.each([
      { name: 'default options', retry: undefined },
      { name: 'retryOnStatus naming 503', retry: { retryOnStatus: [503], maxAttempts: 5 } },
    ])('503 then 201 with $name: one request, the 503 thrown', async ({ retry }) => {
      const { client, sent, delays } = setup([unavailable(503, '0'), json(201, QUEUED)], retry === undefined ? {} : { retry: { ...retry, sleep: async () => undefined } });

      await expect(client.createGeneration(REQUEST)).rejects.toMatchObject({ status: 503 });
      expect(sent).toHaveLength(1);
      expect(delays).toEqual([]);
    });

    it('not even a raw POST that carries an Idempotency-Key header', async () => {
      const { client, sent } = setup([unavailable(503), json(201, QUEUED)]);

      const { response } = await client.raw.POST('/generations', {
        body: REQUEST,
        headers: { 'Idempotency-Key': 'caller-key' },
      });

      expect(response.status).toBe(503);
      expect(sent).toHaveLength(1);
    });

    it('nor after a network error', async () => {
      const failure = new TypeError('fetch failed');
      const { client, sent } = setup([failure, json(201, QUEUED)]);

      await expect(client.createGeneration(REQUEST)).rejects.toMatchObject({ kind: 'network', cause: failure, mayHaveTakenEffect: true, retryable: false });
      expect(sent).toHaveLength(1);
    });
  });

  it('retry: false sends getGeneration once', async () => {
    const { client, sent } = setup([unavailable(503), json(200, COMPLETED)], { retry: false });

    await expect(client.getGeneration(ID)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(1);
  });

  it('passes the retry options on, keeping Luma’s retryable statuses', async () => {
    const retried: number[] = [];
    const { client, sent } = setup([unavailable(502), unavailable(502), json(200, COMPLETED)], {
      retry: { maxAttempts: 2, sleep: async () => undefined, onRetry: (info) => retried.push(info.status ?? 0) },
    });

    await expect(client.getGeneration(ID)).rejects.toMatchObject({ status: 502 });
    expect(sent).toHaveLength(2);
    expect(retried).toEqual([502]);
  });

  it('retries a 503 from the storage host, still without the key', async () => {
    const { client, sent } = setup([new Response('SlowDown', { status: 503 }), image(PNG)]);

    await expect(client.downloadOutput(outputUrl(0))).resolves.toMatchObject({ bytes: PNG });
    expect(trace(sent)).toEqual([`GET ${outputUrl(0)}`, `GET ${outputUrl(0)}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// waitForGeneration
// ---------------------------------------------------------------------------------------------

describe('waitForGeneration', () => {
  it('polls queued → processing → completed and returns the completed generation', async () => {
    const { client, sent } = setup([json(200, QUEUED), json(200, generation('processing')), json(200, COMPLETED)]);
    const states: GenerationState[] = [];
    const sleeps: number[] = [];

    const done = await client.waitForGeneration(ID, {
      intervalMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onStatus: (polled) => states.push(polled.state),
    });

    expect(done).toEqual(COMPLETED);
    expect(states).toEqual(['queued', 'processing', 'completed']);
    expect(sleeps).toEqual([100, 150]);
    expect(trace(sent)).toEqual(Array(3).fill(`GET ${BASE_URL}/generations/${ID} [key]`));
  });

  it.each(FAILURE_CODES)('failed with %s → LumaAgentsGenerationFailedError carrying failure_code and failure_reason', async (code) => {
    const failed = generation('failed', { failure_code: code, failure_reason: `because ${code}` });
    const { client } = setup([json(200, generation('processing')), json(200, failed)]);

    const error = await rejectionOf(client.waitForGeneration(ID, { sleep: async () => undefined }));

    expect(error).toBeInstanceOf(LumaAgentsGenerationFailedError);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({
      name: 'LumaAgentsGenerationFailedError',
      failureCode: code,
      failureReason: `because ${code}`,
      job: failed,
      message: `Luma Agents generation ${ID} failed (${code}): because ${code}`,
    });
  });

  it.each<{ name: string; final: Generation; message: string }>([
    { name: 'completed without output', final: generation('completed'), message: `Luma Agents generation ${ID} is completed but lists no output` },
    { name: 'completed with an empty output', final: generation('completed', { output: [] }), message: `Luma Agents generation ${ID} is completed but lists no output` },
    {
      name: 'failed with null failure fields',
      final: generation('failed', { failure_code: null, failure_reason: null }),
      message: `Luma Agents generation ${ID} failed (no failure_code): no failure_reason`,
    },
  ])('$name → LumaAgentsGenerationFailedError without a failure code', async ({ final, message }) => {
    const { client } = setup([json(200, final)]);

    const error = await rejectionOf(client.waitForGeneration(ID));

    expect(error).toMatchObject({ name: 'LumaAgentsGenerationFailedError', failureCode: undefined, failureReason: undefined, message });
  });

  it('throws the LumaAgentsError of a failed poll', async () => {
    const { client } = setup([json(404, { detail: 'Generation not found' })]);

    await expect(client.waitForGeneration(ID)).rejects.toMatchObject({ name: 'LumaAgentsError', status: 404, detail: 'Generation not found' });
  });
});

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

describe('downloadOutput', () => {
  it.each([
    { name: 'a PNG', reply: () => image(PNG), result: { bytes: PNG, contentType: 'image/png' } },
    { name: 'a JPEG', reply: () => image(JPEG, 'image/jpeg'), result: { bytes: JPEG, contentType: 'image/jpeg' } },
    { name: 'bytes without a Content-Type', reply: () => image(PNG, null), result: { bytes: PNG, contentType: 'application/octet-stream' } },
  ])('returns $name', async ({ reply, result }) => {
    const { client } = setup([reply()]);

    await expect(client.downloadOutput(outputUrl(0))).resolves.toEqual(result);
  });

  it.each([
    { name: 'a storage host', url: outputUrl(0) },
    { name: 'the API’s own host (as a local mock serves them)', url: `${BASE_URL.replace('/v1', '')}/outputs/${ID}/0.png?expires=1&signature=abc` },
  ])('never sends the key (nor cookies) to $name', async ({ url }) => {
    const { client, sent } = setup([image(PNG)]);

    await client.downloadOutput(url);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(url);
    expect([...(sent[0]?.headers.keys() ?? [])]).toEqual([]);
    expect(sent[0]?.credentials).toBe('omit');
  });

  it('throws LumaAgentsOutputExpiredError on 403, without the URL’s signature', async () => {
    const { client, sent } = setup([expired(), image(PNG)]);

    const error = await rejectionOf(client.downloadOutput(outputUrl(0, 'secret-signature')));

    expect(error).toBeInstanceOf(LumaAgentsOutputExpiredError);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({
      name: 'LumaAgentsOutputExpiredError',
      status: 403,
      reason: 'forbidden',
      url: `${STORAGE}/generations/${ID}/0.png`,
      body: expect.stringContaining('Request has expired'),
      generationId: undefined,
    });
    expect((error as Error).message).toMatch(/expired.*poll the generation again for a fresh URL/);
    expect((error as Error).message).not.toContain('secret-signature');
    expect(sent).toHaveLength(1);
  });

  it.each([
    { status: 404, reason: 'not_found' },
    { status: 410, reason: 'unexpected_status' },
    { status: 500, reason: 'unexpected_status' },
  ])('throws a plain DownloadError ($reason) on $status', async ({ status, reason }) => {
    const { client } = setup([new Response('nope', { status })], { retry: false });

    const error = await rejectionOf(client.downloadOutput(outputUrl(0)));

    expect(error).toBeInstanceOf(DownloadError);
    expect(error).not.toBeInstanceOf(LumaAgentsOutputExpiredError);
    expect(error).toMatchObject({ status, reason });
  });
});

describe('downloadOutputs', () => {
  it('downloads every output in order', async () => {
    const { client, sent } = setup([image(PNG), image(JPEG, 'image/jpeg')]);
    const two = completed(outputUrl(0), outputUrl(1));

    const result = await client.downloadOutputs(two);

    expect(result).toEqual({
      generation: two,
      images: [
        { bytes: PNG, contentType: 'image/png' },
        { bytes: JPEG, contentType: 'image/jpeg' },
      ],
    });
    expect(trace(sent)).toEqual([`GET ${outputUrl(0)}`, `GET ${outputUrl(1)}`]);
  });

  it('refreshes an expired URL once by polling the generation, then downloads the fresh one', async () => {
    const fresh = completed(outputUrl(0, 'sig2'));
    const { client, sent } = setup([expired(), json(200, fresh), image(PNG)]);

    const result = await client.downloadOutputs(COMPLETED);

    expect(result).toEqual({ generation: fresh, images: [{ bytes: PNG, contentType: 'image/png' }] });
    expect(trace(sent)).toEqual([
      `GET ${outputUrl(0, 'sig1')}`,
      `GET ${BASE_URL}/generations/${ID} [key]`,
      `GET ${outputUrl(0, 'sig2')}`,
    ]);
  });

  it('keeps what it downloaded when a later output expires, and takes the rest from the refresh', async () => {
    const fresh = completed(outputUrl(0, 'sig2'), outputUrl(1, 'sig2'));
    const { client, sent } = setup([image(PNG), expired(), json(200, fresh), image(JPEG, 'image/jpeg')]);

    const result = await client.downloadOutputs(completed(outputUrl(0), outputUrl(1)));

    expect(result.images.map((downloaded) => downloaded.bytes)).toEqual([PNG, JPEG]);
    expect(trace(sent)).toEqual([
      `GET ${outputUrl(0)}`,
      `GET ${outputUrl(1)}`,
      `GET ${BASE_URL}/generations/${ID} [key]`,
      `GET ${outputUrl(1, 'sig2')}`,
    ]);
  });

  it('refreshes only once: a second expiry is thrown', async () => {
    const { client, sent } = setup([expired(), json(200, completed(outputUrl(0, 'sig2'))), expired(), json(200, COMPLETED)]);

    const error = await rejectionOf(client.downloadOutputs(COMPLETED));

    expect(error).toBeInstanceOf(LumaAgentsOutputExpiredError);
    expect(error).toMatchObject({ generationId: ID });
    expect(sent).toHaveLength(3);
  });

  it('does not poll again for a download error other than 403', async () => {
    const { client, sent } = setup([new Response('gone', { status: 404 }), json(200, COMPLETED)]);

    await expect(client.downloadOutputs(COMPLETED)).rejects.toMatchObject({ name: 'DownloadError', status: 404 });
    expect(sent).toHaveLength(1);
  });

  it('throws the refresh poll’s LumaAgentsError', async () => {
    const { client } = setup([expired(), json(404, { detail: 'Generation not found' })]);

    await expect(client.downloadOutputs(COMPLETED)).rejects.toMatchObject({ name: 'LumaAgentsError', status: 404 });
  });

  it('throws LumaAgentsGenerationFailedError when the refresh poll lists no output', async () => {
    const { client } = setup([expired(), json(200, generation('completed'))]);

    await expect(client.downloadOutputs(COMPLETED)).rejects.toBeInstanceOf(LumaAgentsGenerationFailedError);
  });
});

// ---------------------------------------------------------------------------------------------
// generateAndDownload: the documented flow
// ---------------------------------------------------------------------------------------------

describe('generateAndDownload', () => {
  it('creates, polls until completed and downloads the presigned output without the key', async () => {
    const { client, sent } = setup([json(201, QUEUED), json(200, generation('processing')), json(200, COMPLETED), image(PNG)]);

    const result = await client.generateAndDownload(REQUEST, { wait: { sleep: async () => undefined } });

    expect(result).toEqual({ generation: COMPLETED, images: [{ bytes: PNG, contentType: 'image/png' }] });
    expect(trace(sent)).toEqual([
      `POST ${BASE_URL}/generations [key]`,
      `GET ${BASE_URL}/generations/${ID} [key]`,
      `GET ${BASE_URL}/generations/${ID} [key]`,
      `GET ${outputUrl(0)}`,
    ]);
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(REQUEST);
  });

  it('refreshes an output URL that expired before the download', async () => {
    const fresh = completed(outputUrl(0, 'sig2'));
    const { client, sent } = setup([json(201, QUEUED), json(200, COMPLETED), expired(), json(200, fresh), image(PNG)]);

    const result = await client.generateAndDownload(REQUEST, { wait: { sleep: async () => undefined } });

    expect(result.generation).toEqual(fresh);
    expect(trace(sent).slice(2)).toEqual([`GET ${outputUrl(0, 'sig1')}`, `GET ${BASE_URL}/generations/${ID} [key]`, `GET ${outputUrl(0, 'sig2')}`]);
  });

  it('throws the failure and downloads nothing when the generation fails', async () => {
    const { client, sent } = setup([json(201, QUEUED), json(200, FAILED), image(PNG)]);

    await expect(client.generateAndDownload(REQUEST, { wait: { sleep: async () => undefined } })).rejects.toMatchObject({
      name: 'LumaAgentsGenerationFailedError',
      failureCode: 'content_moderated',
      failureReason: 'The prompt violated the content guidelines.',
    });
    expect(sent).toHaveLength(2);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { client, sent } = setup([json(201, QUEUED)]);
    const reason = new Error('already aborted');

    await expect(client.generateAndDownload(REQUEST, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it('stops waiting when the signal aborts between polls', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { client, sent } = setup([json(201, QUEUED), json(200, QUEUED), json(200, COMPLETED), image(PNG)]);

    const error = await rejectionOf(
      client.generateAndDownload(REQUEST, { signal: controller.signal, wait: { intervalMs: 60_000, onStatus: () => controller.abort(reason) } }),
    );

    expect(error).toBe(reason);
    expect(sent).toHaveLength(2);
  });
});
