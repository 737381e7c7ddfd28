import { ApiError, isApiError } from '@imagegen/client-kit';
import { describe, expect, it } from 'vitest';

import type { ImageJob, ImagesCreated, ImagesRequest, UseapiLumaClient, operations } from '../src/index.js';
import { UseapiLumaError, createUseapiLumaClient, imagesFormData } from '../src/index.js';
import { BASE_URL, TOKEN, documentedResponses, fakeApi, json, rejectionOf, setup } from './fake-api.js';

// Values from the spec's examples (the page's, with its obfuscated account email spelled out).
const EMAIL = 'user@example.com';
const BATCH_ID = `j0326140530123456789i-u12345-email:${EMAIL}:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma`;
const IMAGE_ID = `j0326140530123456789i-u12345-email:${EMAIL}:b2c3d4e5-f6a7-8901-bcde-f23456789012-bot:luma`;
const ASSET_REF = `u12345-email:${EMAIL}:a1b2c3d4-e5f6-7890-abcd-ef1234567890`;

const REQUEST: ImagesRequest = {
  prompt: 'A photorealistic portrait of an astronaut on Mars',
  model: 'photon-v2',
  resolution: '1080p',
  aspect_ratio: '16:9',
};
const EVERY_FIELD: Required<ImagesRequest> = {
  prompt: 'The character from the reference, reading in a sunlit library',
  email: EMAIL,
  model: 'image-v2',
  resolution: '720p',
  aspect_ratio: '3:4',
  imageRef1: ASSET_REF,
  imageRef2: `u12345-email:${EMAIL}-image:c3d4e5f6-a7b8-9012-cdef-345678901234`,
  imageRef3: `u12345-email:${EMAIL}:d4e5f6a7-b890-1234-defa-456789012345`,
  imageRef4: `u12345-email:${EMAIL}:e5f6a7b8-9012-3456-efab-567890123456`,
  replyUrl: 'https://hooks.example.net/useapi/luma',
  replyRef: 'order-1234',
};
const CREATED: ImagesCreated = {
  jobid: BATCH_ID,
  jobids: [1, 2, 3, 4].map((n) => IMAGE_ID.replace('b2c3d4e5', `b2c3d4e${n}`)),
  type: 'image',
  status: 'created',
  count: 4,
  created: '2026-03-26T14:05:30.123Z',
  request: { prompt: REQUEST.prompt, model: 'photon-v2', resolution: '1080p', aspect_ratio: '16:9' },
};
const COMPLETED: ImageJob = {
  jobid: IMAGE_ID,
  type: 'image',
  status: 'completed',
  created: '2026-03-26T14:05:30.123Z',
  updated: '2026-03-26T14:06:12.456Z',
  response: { image: { media_type: 'image', url: 'https://storage.cdn-luma.com/b2c3d4e5/image.jpg', width: 1920, height: 1080 } },
};
const PNG_BYTES = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3]);
const UPLOADED = {
  assetRef: ASSET_REF,
  email: EMAIL,
  upload: { id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', media: { url: 'https://storage.cdn-luma.com/uploads/a.png' } },
};

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

describe('what each method sends', () => {
  it.each<{
    name: string;
    call: (client: UseapiLumaClient) => Promise<unknown>;
    reply: () => Response;
    method: string;
    path: string;
    result: unknown;
  }>([
    { name: 'createImages', call: (c) => c.createImages(REQUEST), reply: () => json(200, CREATED), method: 'POST', path: '/images', result: CREATED },
    { name: 'getJob', call: (c) => c.getJob(IMAGE_ID), reply: () => json(200, COMPLETED), method: 'GET', path: `/jobs/${IMAGE_ID}`, result: COMPLETED },
    {
      name: 'deleteJob',
      call: (c) => c.deleteJob(BATCH_ID),
      reply: () => json(200, { jobid: BATCH_ID, deleted: true }),
      method: 'DELETE',
      path: `/jobs/${BATCH_ID}`,
      result: { jobid: BATCH_ID, deleted: true },
    },
    {
      name: 'uploadAsset',
      call: (c) => c.uploadAsset(EMAIL, new Blob([PNG_BYTES], { type: 'image/png' })),
      reply: () => json(200, UPLOADED),
      method: 'POST',
      path: `/assets/${EMAIL}`,
      result: UPLOADED,
    },
  ])('$name: $method $path with the bearer token, answering the body', async ({ call, reply, method, path, result }) => {
    const { client, received } = setup([reply()]);

    await expect(call(client)).resolves.toEqual(result);

    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method, path });
    expect(received[0]?.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
  });

  it('createImages sends an object as JSON', async () => {
    const { client, received } = setup([json(200, CREATED)]);

    await client.createImages(EVERY_FIELD);

    expect(received[0]?.headers.get('content-type')).toBe('application/json');
    await expect(received[0]?.request.json()).resolves.toEqual(EVERY_FIELD);
  });

  it.each<{ name: string; fields: ImagesRequest; parsed?: ImagesRequest }>([
    { name: 'every field', fields: EVERY_FIELD },
    { name: 'the page’s request', fields: REQUEST },
    { name: 'a prompt with quotes, a boundary-like line and non-ASCII', fields: { prompt: 'say "hi";\r\n--boundary\r\n— café 🚀' } },
    // multipart/form-data encodes every line break as CRLF (HTML's form-data algorithm), so a prompt
    // sent this way arrives with CRLF where JSON would keep a lone LF.
    { name: 'a prompt with lone LFs, which arrive as CRLF', fields: { prompt: 'line 1\nline 2\r' }, parsed: { prompt: 'line 1\r\nline 2\r\n' } },
  ])('createImages sends a FormData as multipart/form-data that parses back to $name', async ({ fields, parsed }) => {
    const { client, received } = setup([json(200, CREATED)]);

    await client.createImages(imagesFormData(fields));

    expect(received[0]?.headers.get('content-type')).toMatch(/^multipart\/form-data; boundary=\S+$/);
    const entries = [...((await received[0]?.request.formData())?.entries() ?? [])];
    // Text fields, not file parts: the spec's multipart body has the JSON body's string fields.
    expect(entries.every(([, value]) => typeof value === 'string')).toBe(true);
    expect(Object.fromEntries(entries)).toEqual(parsed ?? fields);
  });

  it('imagesFormData leaves out fields that are undefined', () => {
    const form = imagesFormData({ prompt: 'p', model: undefined, replyRef: 'r' });

    expect([...form.keys()]).toEqual(['prompt', 'replyRef']);
  });

  it('createImages passes a caller-built FormData through unchanged', async () => {
    const { client, received } = setup([json(200, CREATED)]);
    const form = new FormData();
    form.append('prompt', REQUEST.prompt);
    form.append('aspect_ratio', '21:9');

    await client.createImages(form);

    expect(Object.fromEntries((await received[0]?.request.formData())?.entries() ?? [])).toEqual({
      prompt: REQUEST.prompt,
      aspect_ratio: '21:9',
    });
  });

  it.each<{ name: string; image: Blob | ArrayBuffer | Uint8Array; contentType?: 'image/jpeg' | 'image/png' | 'image/webp'; sent: string }>([
    { name: 'a Blob, typed by its own type', image: new Blob([PNG_BYTES], { type: 'image/png' }), sent: 'image/png' },
    { name: 'a Blob, with the type overridden', image: new Blob([PNG_BYTES], { type: 'image/png' }), contentType: 'image/webp', sent: 'image/webp' },
    { name: 'a Uint8Array with its type', image: PNG_BYTES, contentType: 'image/jpeg', sent: 'image/jpeg' },
    { name: 'an ArrayBuffer with its type', image: PNG_BYTES.slice().buffer, contentType: 'image/png', sent: 'image/png' },
    { name: 'a Blob of a type the API refuses (it answers 400)', image: new Blob([PNG_BYTES], { type: 'image/bmp' }), sent: 'image/bmp' },
  ])('uploadAsset sends $name as the raw body', async ({ image, contentType, sent }) => {
    const { client, received } = setup([json(200, UPLOADED)]);

    await client.uploadAsset(EMAIL, image, contentType === undefined ? {} : { contentType });

    expect(received[0]?.headers.get('content-type')).toBe(sent);
    expect(new Uint8Array(await (received[0]?.request ?? new Request(BASE_URL)).arrayBuffer())).toEqual(PNG_BYTES);
  });

  it.each<{ name: string; image: Blob | Uint8Array }>([
    { name: 'a Blob without a type', image: new Blob([PNG_BYTES]) },
    { name: 'bytes without contentType', image: PNG_BYTES },
  ])('uploadAsset refuses $name before sending anything', async ({ image }) => {
    const { client, received } = setup([]);

    await expect(client.uploadAsset(EMAIL, image)).rejects.toThrow(/image\/jpeg, image\/png, image\/webp/);
    expect(received).toEqual([]);
  });

  it('keeps an Authorization header the caller set on a raw request', async () => {
    const { client, received } = setup([json(200, COMPLETED)]);

    await client.raw.GET('/jobs/{jobid}', { params: { path: { jobid: IMAGE_ID } }, headers: { Authorization: 'Bearer other' } });

    expect(received[0]?.headers.get('authorization')).toBe('Bearer other');
  });

  it('strips a trailing slash from baseUrl', async () => {
    const { client, received } = setup([json(200, COMPLETED)], { baseUrl: `${BASE_URL}/` });

    await client.getJob(IMAGE_ID);

    expect(received[0]?.url).toBe(`${BASE_URL}/jobs/${IMAGE_ID}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Job ids in the path
// ---------------------------------------------------------------------------------------------

/** The URL the page's own JavaScript example builds: the id in a template literal, unencoded. */
const pageUrl = (jobid: string): string => new URL(`${BASE_URL}/jobs/${jobid}`).href;

describe('job ids and emails in the path', () => {
  const documentedIds = [BATCH_ID, ...CREATED.jobids, `j1i-u1-email:first.last+luma@sub.example.co.uk:${IMAGE_ID.slice(-45)}`];

  it.each(documentedIds)('sends %s raw, exactly as the page’s fetch does', async (jobid) => {
    const { client, received } = setup([json(200, COMPLETED), json(200, { jobid, deleted: true })]);

    await client.getJob(jobid);
    await client.deleteJob(jobid);

    for (const request of received) {
      expect(request.url).toBe(pageUrl(jobid));
      const segment = request.path.slice('/jobs/'.length);
      // A server that matches the path raw (as the page's own client requires) and one that
      // percent-decodes the path, as Express and other routers do, both read the same id.
      expect(segment).toBe(jobid);
      expect(decodeURIComponent(segment)).toBe(jobid);
    }
  });

  it.each([
    { jobid: 'a/b', segment: 'a%2Fb' },
    { jobid: 'a?b=c', segment: 'a%3Fb=c' },
    { jobid: 'a#b', segment: 'a%23b' },
    { jobid: 'a b', segment: 'a%20b' },
    { jobid: '100%', segment: '100%25' },
    { jobid: 'é', segment: '%C3%A9' },
    { jobid: '..a', segment: '..a' },
  ])('percent-encodes what a path segment cannot hold: $jobid → $segment', async ({ jobid, segment }) => {
    const { client, received } = setup([json(200, COMPLETED)]);

    await client.getJob(jobid);

    expect(received[0]?.path).toBe(`/jobs/${segment}`);
    expect(decodeURIComponent(segment)).toBe(jobid);
  });

  it.each(['', '.', '..'])('refuses the job id %j, which would address another endpoint', async (jobid) => {
    const { client, received } = setup([]);

    await expect(client.getJob(jobid)).rejects.toThrow(TypeError);
    await expect(client.deleteJob(jobid)).rejects.toThrow(TypeError);
    expect(received).toEqual([]);
  });

  it('sends the asset email raw too', async () => {
    const { client, received } = setup([json(200, UPLOADED)]);

    await client.uploadAsset('first.last+luma@example.com', new Blob([PNG_BYTES], { type: 'image/png' }));

    expect(received[0]?.path).toBe('/assets/first.last+luma@example.com');
  });
});

// ---------------------------------------------------------------------------------------------
// Every documented answer, with the spec's own example bodies
// ---------------------------------------------------------------------------------------------

type Responses<Op extends keyof operations> = operations[Op]['responses'];

/**
 * Every documented status of every operation. `satisfies` makes the table exact against the types
 * generated from the spec (a missing or extra status fails to compile); the test below also checks
 * it against the YAML, and replays each of its example bodies through the client.
 */
const DOCUMENTED = {
  createImages: { 200: 'ok', 400: 'error', 401: 'error', 402: 'error', 422: 'error', 429: 'error', 596: 'error' },
  getJob: { 200: 'ok', 400: 'error', 401: 'error', 403: 'error', 404: 'error' },
  deleteJob: { 200: 'ok', 400: 'error', 401: 'error', 403: 'error', 404: 'error', 409: 'error' },
  uploadAsset: { 200: 'ok', 400: 'error', 401: 'error', 404: 'error', 596: 'error' },
} as const satisfies { [Op in keyof operations]: { [S in keyof Responses<Op>]: S extends 200 ? 'ok' : 'error' } };

const CALLS = {
  createImages: (c) => c.createImages(REQUEST),
  getJob: (c) => c.getJob(IMAGE_ID),
  deleteJob: (c) => c.deleteJob(BATCH_ID),
  uploadAsset: (c) => c.uploadAsset(EMAIL, new Blob([PNG_BYTES], { type: 'image/png' })),
} satisfies Record<keyof operations, (client: UseapiLumaClient) => Promise<unknown>>;

const RESPONSES = documentedResponses();
const EXAMPLE_ROWS = RESPONSES.flatMap(({ operationId, status, examples }) =>
  examples.map((body, n) => ({ operation: operationId as keyof operations, status, body, n: n + 1, of: examples.length })),
);

describe('every documented answer', () => {
  it('the table lists exactly the statuses spec/useapi-luma/openapi.yaml documents', () => {
    const inSpec: Record<string, number[]> = {};
    for (const { operationId, status } of RESPONSES) (inSpec[operationId] ??= []).push(status);

    expect(inSpec).toEqual(
      Object.fromEntries(Object.entries(DOCUMENTED).map(([operation, statuses]) => [operation, Object.keys(statuses).map(Number)])),
    );
  });

  it('has an example body for every documented status', () => {
    expect(RESPONSES.filter((row) => row.examples.length === 0)).toEqual([]);
  });

  it.each(EXAMPLE_ROWS.filter((row) => row.status < 300))(
    '$operation: HTTP $status resolves with the body (example $n of $of)',
    async ({ operation, status, body }) => {
      const { client } = setup([json(status, body)]);

      await expect(CALLS[operation](client)).resolves.toEqual(body);
    },
  );

  it.each(EXAMPLE_ROWS.filter((row) => row.status >= 300))(
    '$operation: HTTP $status throws UseapiLumaError with the message and code of the body (example $n of $of)',
    async ({ operation, status, body }) => {
      const { client, received } = setup([json(status, body)], { retry: false });
      const documented = body as { error: string; code?: number };

      const error = await rejectionOf(CALLS[operation](client));

      expect(error).toBeInstanceOf(UseapiLumaError);
      expect(error).toBeInstanceOf(ApiError);
      expect(isApiError(error)).toBe(true);
      expect(error).toMatchObject({
        name: 'UseapiLumaError',
        status,
        message: documented.error,
        code: documented.code,
        body,
      });
      expect(received).toHaveLength(1);
    },
  );

  it('the documented codes are numbers equal to their status', () => {
    const coded = EXAMPLE_ROWS.filter((row) => (row.body as { code?: unknown }).code !== undefined);

    expect(coded.map(({ status, body }) => [status, (body as { code: unknown }).code])).toEqual([
      [422, 422],
      [429, 429],
    ]);
  });

  it.each<{ name: string; reply: () => Response; status: number; body: unknown; message: string; code?: number }>([
    {
      name: 'a plain-text body',
      reply: () => new Response('Bad Gateway', { status: 502, headers: { 'Content-Type': 'text/plain' } }),
      status: 502,
      body: 'Bad Gateway',
      message: 'useapi.net answered HTTP 502: Bad Gateway',
    },
    { name: 'JSON without error', reply: () => json(503, { message: 'down' }), status: 503, body: { message: 'down' }, message: 'useapi.net answered HTTP 503: down' },
    { name: 'JSON null', reply: () => json(500, null), status: 500, body: null, message: 'useapi.net answered HTTP 500 without an error message' },
    {
      name: 'an empty body',
      reply: () => new Response(null, { status: 596, headers: { 'Content-Length': '0' } }),
      status: 596,
      body: undefined,
      message: 'useapi.net answered HTTP 596 without an error message',
    },
    {
      name: 'an empty 200',
      reply: () => new Response(null, { status: 200, headers: { 'Content-Length': '0' } }),
      status: 200,
      body: undefined,
      message: 'useapi.net answered HTTP 200 without a body',
    },
    { name: 'a code given as a string', reply: () => json(429, { error: 'busy', code: '429' }), status: 429, body: { error: 'busy', code: '429' }, message: 'busy' },
    { name: 'an undocumented numeric code', reply: () => json(400, { error: 'bad', code: 400 }), status: 400, body: { error: 'bad', code: 400 }, message: 'bad', code: 400 },
  ])('$name → status kept, code $code, a helpful message', async ({ reply, status, body, message, code }) => {
    const { client } = setup([reply()], { retry: false });

    const error = await rejectionOf(client.getJob(IMAGE_ID));

    expect(error).toBeInstanceOf(UseapiLumaError);
    expect(error).toMatchObject({ status, code, body, message });
  });
});

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

const CAPACITY = () => json(429, { error: 'All configured accounts are running at maximum capacity', code: 429 }, { 'Retry-After': '1' });
const UNAVAILABLE = () => json(503, { error: 'Service unavailable' });

describe('retries', () => {
  it.each([
    { name: 'getJob', call: (c: UseapiLumaClient) => c.getJob(IMAGE_ID), ok: () => json(200, COMPLETED) },
    { name: 'deleteJob', call: (c: UseapiLumaClient) => c.deleteJob(BATCH_ID), ok: () => json(200, { jobid: BATCH_ID, deleted: true }) },
  ])('$name retries 429 (after its Retry-After) and 503, then succeeds', async ({ call, ok }) => {
    const { client, received, delays } = setup([CAPACITY(), UNAVAILABLE(), ok()]);

    await call(client);

    expect(received).toHaveLength(3);
    expect(delays[0]).toBe(1000);
    expect(delays).toHaveLength(2);
  });

  it.each([
    { name: 'createImages (JSON)', call: (c: UseapiLumaClient) => c.createImages(REQUEST) },
    { name: 'createImages (multipart)', call: (c: UseapiLumaClient) => c.createImages(imagesFormData(REQUEST)) },
    { name: 'uploadAsset', call: (c: UseapiLumaClient) => c.uploadAsset(EMAIL, new Blob([PNG_BYTES], { type: 'image/png' })) },
  ])('$name is sent once, whatever the answer: a 429 means every account is at capacity', async ({ call }) => {
    for (const reply of [CAPACITY, UNAVAILABLE]) {
      const { client, received, delays } = setup([reply(), json(200, CREATED)]);

      const error = await rejectionOf(call(client));

      expect(error).toBeInstanceOf(UseapiLumaError);
      expect(received).toHaveLength(1);
      expect(delays).toEqual([]);
    }
  });

  it('the capacity 429 carries its code and Retry-After for the caller to act on', async () => {
    const { client } = setup([CAPACITY()]);

    await expect(client.createImages(REQUEST)).rejects.toMatchObject({ status: 429, code: 429, retryAfterMs: 1000 });
  });

  it('a raw POST is not retried even with an Idempotency-Key header, which useapi.net does not document', async () => {
    const { client, received } = setup([UNAVAILABLE(), json(200, CREATED)]);

    await client.raw.POST('/images', { body: REQUEST, headers: { 'Idempotency-Key': 'k' } });

    expect(received).toHaveLength(1);
  });

  it('a network error on a POST is thrown, not retried', async () => {
    const { client, received } = setup([
      () => {
        throw new TypeError('fetch failed');
      },
      json(200, CREATED),
    ]);

    await expect(client.createImages(REQUEST)).rejects.toThrow('fetch failed');
    expect(received).toHaveLength(1);
  });

  it('retry: false sends a GET once', async () => {
    const { client, received } = setup([UNAVAILABLE(), json(200, COMPLETED)], { retry: false });

    await expect(client.getJob(IMAGE_ID)).rejects.toMatchObject({ status: 503 });
    expect(received).toHaveLength(1);
  });

  it('passes the retry options on', async () => {
    const retried: number[] = [];
    const { client, received } = setup([UNAVAILABLE(), UNAVAILABLE(), json(200, COMPLETED)], {
      retry: { maxAttempts: 2, sleep: async () => undefined, onRetry: (info) => retried.push(info.attempt) },
    });

    await expect(client.getJob(IMAGE_ID)).rejects.toMatchObject({ status: 503 });
    expect(received).toHaveLength(2);
    expect(retried).toEqual([1]);
  });

  it('uses globalThis.fetch when no fetch is given', async () => {
    const { fetch: fetchImpl, received } = fakeApi([json(200, COMPLETED)]);
    const original = globalThis.fetch;
    globalThis.fetch = fetchImpl;
    try {
      await createUseapiLumaClient({ token: TOKEN, baseUrl: BASE_URL }).getJob(IMAGE_ID);
    } finally {
      globalThis.fetch = original;
    }
    expect(received).toHaveLength(1);
  });
});
