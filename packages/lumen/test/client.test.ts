import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiError, JobFailedError, isApiError } from '@imagegen/client-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type {
  EditRequest,
  GenerationRequest,
  InpaintRequest,
  LumenClient,
  LumenClientOptions,
  Task,
  TaskCreated,
  TaskStatus,
  operations,
} from '../src/index.js';
import {
  LumenDownloadError,
  LumenError,
  LumenTaskFailedError,
  createLumenClient,
} from '../src/index.js';
import type { Reply } from './support.js';
import { documentedResponses, json, rejectionOf, scriptedFetch } from './support.js';

const BASE_URL = 'https://lumen.test/lumen';
const API_KEY = 'sk-lumen-test-key';
const AUTHORIZATION = `Bearer ${API_KEY}`;

/** A client over a scripted fetch; retries record their delay instead of sleeping. */
function setup(replies: readonly Reply[], options: Partial<LumenClientOptions> = {}) {
  const { fetch: fakeFetch, sent } = scriptedFetch(replies);
  const delays: number[] = [];
  const client = createLumenClient({
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

// ---------------------------------------------------------------------------------------------
// Fixtures, typed by the spec's schemas (values from its examples).
// ---------------------------------------------------------------------------------------------

const TASK_ID = 'a1b2c3d4e5f6';
const IMAGE_URLS = [
  'https://img.lumen.test/a1b2c3d4e5f6/0.png',
  'https://cdn.elsewhere.test/a1b2c3d4e5f6/1.png?sig=abc',
  // The mock serves images from its own origin: still no key.
  'https://lumen.test/lumen/files/a1b2c3d4e5f6/2.png',
];
const PNGS = IMAGE_URLS.map((_, index) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, index]));

const GENERATION: GenerationRequest = { model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', size: '1024x1024', n: 1 };
const EDIT: EditRequest = { model: 'gpt-image-2-low', prompt: '把背景换成雪山', image_urls: ['https://your.img/cat.png'], size: '1024x1024' };
const INPAINT: InpaintRequest = {
  model: 'fal-flux-pro-fill',
  prompt: '把蒙版区域改成一只柯基',
  image_urls: ['https://your.img/photo.png'],
  mask_url: 'https://your.img/mask.png',
};

const CREATED: TaskCreated = { id: TASK_ID, status: 'queued', created: 1700000000 };
const task = (status: 'queued' | 'processing'): Task => ({ id: TASK_ID, status });
const SUCCEEDED = { id: TASK_ID, status: 'succeeded', data: IMAGE_URLS.map((url) => ({ url })) } as const satisfies Task;
const FAILED = {
  id: TASK_ID,
  status: 'failed',
  error: { code: 'upstream_error', message: 'the upstream provider failed; the credits were refunded' },
} as const satisfies Task;
const CANCELLED = { id: TASK_ID, status: 'cancelled' } as const satisfies Task;

const png = (index: number): Response =>
  new Response(PNGS[index], { status: 200, headers: { 'Content-Type': 'image/png' } });

/** How the client calls each operation of the spec. */
const CALLS = {
  createGenerationTask: (c) => c.createGenerationTask(GENERATION),
  createEditTask: (c) => c.createEditTask(EDIT),
  createInpaintTask: (c) => c.createInpaintTask(INPAINT),
  getTask: (c) => c.getTask(TASK_ID),
} satisfies Record<keyof operations, (client: LumenClient) => Promise<unknown>>;

const CREATE_CALLS = [
  { name: 'createGenerationTask', call: CALLS.createGenerationTask, path: '/v1/images/generations', body: GENERATION },
  { name: 'createEditTask', call: CALLS.createEditTask, path: '/v1/images/edits', body: EDIT },
  { name: 'createInpaintTask', call: CALLS.createInpaintTask, path: '/v1/images/inpaint', body: INPAINT },
] as const;

// ---------------------------------------------------------------------------------------------
// Every documented (operation, status), answered with the spec's own examples
// ---------------------------------------------------------------------------------------------

const DOCUMENTED = documentedResponses();

describe('every response the spec documents, through the client', () => {
  it('reads four operations and their statuses off the spec', () => {
    expect(Object.keys(CALLS).sort()).toEqual([...new Set(DOCUMENTED.map((row) => row.operationId))].sort());
    expect(DOCUMENTED.map((row) => `${row.operationId} ${row.status}`)).toEqual([
      ...['createGenerationTask', 'createEditTask', 'createInpaintTask'].flatMap((op) =>
        [200, 400, 401, 402, 404, 429, 502].map((status) => `${op} ${status}`),
      ),
      'getTask 200',
      'getTask 401',
      'getTask 404',
    ]);
  });

  const examples = DOCUMENTED.flatMap((row) => row.examples.map((example) => ({ ...row, example })));
  it.each(examples.filter((row) => row.status < 300))(
    '$operationId $status example "$example.name" is returned as is',
    async ({ operationId, method, path: specPath, example }) => {
      const { client, sent } = setup([json(200, example.value)]);

      await expect(CALLS[operationId as keyof typeof CALLS](client)).resolves.toEqual(example.value);

      expect(sent).toHaveLength(1);
      expect(sent[0]?.method).toBe(method);
      expect(sent[0]?.url).toBe(BASE_URL + specPath.replace('{id}', TASK_ID));
      expect(sent[0]?.headers.get('authorization')).toBe(AUTHORIZATION);
    },
  );

  it.each(examples.filter((row) => row.status >= 400))(
    '$operationId $status example "$example.name" → LumenError with its code',
    async ({ operationId, status, example }) => {
      const body = example.value as { error: { code: string; message: string } };
      const { client, sent } = setup([json(status, body)], { retry: false });

      const error = await rejectionOf(CALLS[operationId as keyof typeof CALLS](client));

      expect(error).toBeInstanceOf(LumenError);
      expect(error).toMatchObject({ name: 'LumenError', status, code: body.error.code, message: body.error.message, body });
      expect(sent).toHaveLength(1);
    },
  );

  const codes = DOCUMENTED.flatMap((row) => row.codes.map((code) => ({ ...row, code })));
  it('documents a distinct set of codes for each status', () => {
    const statusesOfCode = new Map<string, Set<number>>();
    for (const { code, status } of codes) statusesOfCode.set(code, (statusesOfCode.get(code) ?? new Set()).add(status));
    expect([...statusesOfCode].filter(([, statuses]) => statuses.size > 1)).toEqual([]);
    expect(DOCUMENTED.filter((row) => row.status >= 400 && row.codes.length === 0)).toEqual([]);
  });

  it.each(codes)('$operationId $status code $code → LumenError, Retry-After read', async ({ operationId, status, code }) => {
    const envelope = { error: { code, message: `the server says ${code}` } };
    const { client, sent } = setup([json(status, envelope, { 'Retry-After': '30', 'X-Request-Id': 'req_1' })], {
      retry: false,
    });

    const error = await rejectionOf(CALLS[operationId as keyof typeof CALLS](client));

    expect(error).toBeInstanceOf(LumenError);
    expect(error).toBeInstanceOf(ApiError);
    expect(isApiError(error)).toBe(true);
    expect(error).toMatchObject({ status, code, message: `the server says ${code}`, retryAfterMs: 30_000, requestId: 'req_1' });
    expect(sent).toHaveLength(1);
  });

  it.each<{ name: string; reply: () => Response; status: number; body: unknown; message?: string }>([
    {
      name: 'a plain-text body',
      reply: () => new Response('Bad Gateway', { status: 502, headers: { 'Content-Type': 'text/plain' } }),
      status: 502,
      body: 'Bad Gateway',
      message: 'Lumen answered HTTP 502: Bad Gateway',
    },
    {
      name: 'JSON without an error key',
      reply: () => json(500, { message: 'down' }),
      status: 500,
      body: { message: 'down' },
      message: 'Lumen answered HTTP 500: down',
    },
    { name: 'an OpenAI-style error.type', reply: () => json(400, { error: { type: 'x' } }), status: 400, body: { error: { type: 'x' } } },
    {
      name: 'an empty body',
      reply: () => new Response(null, { status: 503, headers: { 'Content-Length': '0' } }),
      status: 503,
      body: undefined,
    },
    {
      name: 'a non-string error.code',
      reply: () => json(400, { error: { code: 7, message: 'odd' } }),
      status: 400,
      body: { error: { code: 7, message: 'odd' } },
      message: 'odd',
    },
  ])('$name → code undefined, status kept, a helpful message', async ({ reply, status, body, message }) => {
    const { client } = setup([reply()], { retry: false });

    const error = await rejectionOf(client.getTask(TASK_ID));

    expect(error).toBeInstanceOf(LumenError);
    expect(error).toMatchObject({ status, code: undefined, body });
    expect((error as Error).message).toBe(message ?? `Lumen answered HTTP ${status} without an error envelope`);
  });
});

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

describe('what each method sends', () => {
  it.each(CREATE_CALLS)('$name: POST $path with the body as JSON and the bearer key', async ({ call, path: apiPath, body }) => {
    const { client, sent } = setup([json(200, CREATED)]);

    await expect(call(client)).resolves.toEqual(CREATED);

    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', url: `${BASE_URL}${apiPath}` });
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(body);
    expect(sent[0]?.headers.get('content-type')).toBe('application/json');
    expect(sent[0]?.headers.get('authorization')).toBe(AUTHORIZATION);
    expect(sent[0]?.headers.has('idempotency-key')).toBe(false);
  });

  it.each([
    { id: TASK_ID, path: `/v1/images/generations/${TASK_ID}` },
    { id: 'a b/c?d', path: '/v1/images/generations/a%20b%2Fc%3Fd' },
  ])('getTask($id): GET $path without a body', async ({ id, path: apiPath }) => {
    const { client, sent } = setup([json(200, SUCCEEDED)]);

    await expect(client.getTask(id)).resolves.toEqual(SUCCEEDED);

    expect(sent[0]).toMatchObject({ method: 'GET', url: `${BASE_URL}${apiPath}`, body: '' });
    expect(sent[0]?.headers.get('authorization')).toBe(AUTHORIZATION);
  });

  it.each(['', '.', '..'])('getTask refuses %j, which would address another endpoint with the key', async (id) => {
    const { client, sent } = setup([json(200, SUCCEEDED)]);

    await expect(client.getTask(id)).rejects.toThrow(new TypeError(`Not a Lumen task id: ${JSON.stringify(id)}`));
    expect(sent).toHaveLength(0);
  });

  it('keeps an Authorization the caller set on a raw request', async () => {
    const { client, sent } = setup([json(200, CREATED)]);

    await client.raw.POST('/v1/images/generations', { body: GENERATION, headers: { Authorization: 'Bearer sk-lumen-other' } });

    expect(sent[0]?.headers.get('authorization')).toBe('Bearer sk-lumen-other');
  });

  it.each([undefined, '', '  '])('refuses apiKey %j before any request, rather than sending `Bearer undefined`', (apiKey) => {
    expect(() => createLumenClient({ apiKey: apiKey as string, baseUrl: BASE_URL })).toThrow(/createLumenClient needs apiKey/);
  });

  it('strips a trailing slash from baseUrl', async () => {
    const { client, sent } = setup([json(200, CREATED)], { baseUrl: `${BASE_URL}/` });

    await client.createGenerationTask(GENERATION);

    expect(sent[0]?.url).toBe(`${BASE_URL}/v1/images/generations`);
  });
});

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

const UPSTREAM_RATE_LIMITED = (retryAfter = '0') =>
  json(429, { error: { code: 'upstream_rate_limited', message: 'rate limited' } }, { 'Retry-After': retryAfter });
const SERVICE_UNAVAILABLE = () => new Response('unavailable', { status: 503 });

describe('retries', () => {
  it.each(
    CREATE_CALLS.flatMap((create) => [
      { ...create, failure: '429 with Retry-After: 0', first: () => UPSTREAM_RATE_LIMITED() },
      { ...create, failure: '503', first: SERVICE_UNAVAILABLE },
      { ...create, failure: '502', first: () => json(502, { error: { code: 'upstream_error', message: 'x' } }) },
    ]),
  )('$name is sent once after a $failure: a retry could bill a second task', async ({ call, first }) => {
    const { client, sent, delays } = setup([first(), json(200, CREATED)]);

    await expect(call(client)).rejects.toBeInstanceOf(LumenError);

    expect(sent).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it.each(CREATE_CALLS)('$name is sent once after a network error, thrown as a NetworkError that may have taken effect', async ({ call }) => {
    const lost = new TypeError('fetch failed: connection reset');
    const { client, sent, delays } = setup([lost, json(200, CREATED)]);

    await expect(call(client)).rejects.toMatchObject({
      name: 'NetworkError',
      kind: 'network',
      cause: lost,
      mayHaveTakenEffect: true,
      retryable: false,
      message: expect.stringMatching(/^POST https:\/\/lumen\.test\/.* got no answer: fetch failed: connection reset$/),
    });

    expect(sent).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('sends a raw POST once even with an Idempotency-Key, which Lumen does not document', async () => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), json(200, CREATED)]);

    const result = await client.raw.POST('/v1/images/generations', {
      body: GENERATION,
      headers: { 'Idempotency-Key': 'k1' },
    });

    expect(result.response.status).toBe(503);
    expect(sent).toHaveLength(1);
  });

  it.each([
    { name: '429 with Retry-After: 2', first: () => UPSTREAM_RATE_LIMITED('2'), delays: [2000] },
    { name: '503 without Retry-After', first: SERVICE_UNAVAILABLE, delays: [250] },
    { name: 'a network error', first: () => new TypeError('fetch failed'), delays: [250] },
  ])('getTask retries after $name and returns the next answer', async ({ first, delays: expected }) => {
    const { client, sent, delays } = setup([first(), json(200, SUCCEEDED)]);

    await expect(client.getTask(TASK_ID)).resolves.toEqual(SUCCEEDED);

    expect(sent).toHaveLength(2);
    expect(sent.map((request) => request.headers.get('authorization'))).toEqual([AUTHORIZATION, AUTHORIZATION]);
    expect(delays).toEqual(expected);
  });

  it.each([401, 404])('getTask: %i is never retried', async (status) => {
    const { client, sent } = setup([json(status, { error: { code: 'task_not_found', message: 'no' } }), json(200, SUCCEEDED)]);

    await expect(client.getTask(TASK_ID)).rejects.toMatchObject({ status });
    expect(sent).toHaveLength(1);
  });

  it('gives up on getTask after 4 attempts by default and throws the last answer', async () => {
    const { client, sent, delays } = setup([
      SERVICE_UNAVAILABLE(),
      SERVICE_UNAVAILABLE(),
      SERVICE_UNAVAILABLE(),
      UPSTREAM_RATE_LIMITED('3'),
      json(200, SUCCEEDED),
    ]);

    await expect(client.getTask(TASK_ID)).rejects.toMatchObject({ status: 429, code: 'upstream_rate_limited', retryAfterMs: 3000 });
    expect(sent).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it('retry: false sends getTask once', async () => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), json(200, SUCCEEDED)], { retry: false });

    await expect(client.getTask(TASK_ID)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(1);
  });

  it('passes the retry options on', async () => {
    const retried: number[] = [];
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), SERVICE_UNAVAILABLE(), json(200, SUCCEEDED)], {
      retry: { maxAttempts: 2, sleep: async () => undefined, onRetry: (info) => retried.push(info.attempt) },
    });

    await expect(client.getTask(TASK_ID)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(2);
    expect(retried).toEqual([1]);
  });

  it('retries an image download on 503, still without the key', async () => {
    const { client, sent } = setup([SERVICE_UNAVAILABLE(), png(0)]);

    await expect(client.downloadImage(IMAGE_URLS[0] as string)).resolves.toMatchObject({ bytes: PNGS[0] });
    expect(sent).toHaveLength(2);
    expect(sent.map((request) => request.headers.has('authorization'))).toEqual([false, false]);
  });
});

// ---------------------------------------------------------------------------------------------
// waitForTask
// ---------------------------------------------------------------------------------------------

describe('waitForTask', () => {
  it('polls queued → processing → succeeded, returns the task and reports each status', async () => {
    const { client, sent } = setup([json(200, task('queued')), json(200, task('processing')), json(200, SUCCEEDED)]);
    const sleeps: number[] = [];
    const statuses: [TaskStatus, number][] = [];

    const done = await client.waitForTask(TASK_ID, {
      intervalMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onStatus: (polled, info) => statuses.push([polled.status, info.attempt]),
    });

    expect(done).toEqual(SUCCEEDED);
    expect(statuses).toEqual([
      ['queued', 1],
      ['processing', 2],
      ['succeeded', 3],
    ]);
    expect(sleeps).toEqual([100, 150]);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual(
      Array(3).fill(`GET ${BASE_URL}/v1/images/generations/${TASK_ID}`),
    );
  });

  it.each<{ name: string; final: Task; code: string | undefined; message: string }>([
    { name: 'failed', final: FAILED, code: 'upstream_error', message: FAILED.error.message },
    {
      name: 'failed with an empty message',
      final: { id: TASK_ID, status: 'failed', error: { code: 'upstream_rate_limited', message: '' } },
      code: 'upstream_rate_limited',
      message: `Lumen task ${TASK_ID} failed with upstream_rate_limited`,
    },
    { name: 'cancelled', final: CANCELLED, code: undefined, message: `Lumen task ${TASK_ID} was cancelled` },
  ])('$name → LumenTaskFailedError carrying the task, its code and message', async ({ final, code, message }) => {
    const { client, sent } = setup([json(200, task('processing')), json(200, final), json(200, SUCCEEDED)]);

    const error = await rejectionOf(client.waitForTask(TASK_ID, { sleep: async () => undefined }));

    expect(error).toBeInstanceOf(LumenTaskFailedError);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ name: 'LumenTaskFailedError', job: final, taskStatus: final.status, code, message });
    expect(sent).toHaveLength(2);
  });

  it('rejects promptly with the abort reason while sleeping between polls', async () => {
    const { client, sent } = setup([json(200, task('queued')), json(200, SUCCEEDED)]);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const startedAt = performance.now();

    const error = await rejectionOf(
      // The real sleep, with an interval far longer than the test's timeout.
      client.waitForTask(TASK_ID, { intervalMs: 60_000, signal: controller.signal, onStatus: () => controller.abort(reason) }),
    );

    expect(error).toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(sent).toHaveLength(1);
  });

  it('throws the LumenError of a failed poll', async () => {
    const { client } = setup([json(404, { error: { code: 'task_not_found', message: 'task not found' } })]);

    await expect(client.waitForTask(TASK_ID)).rejects.toMatchObject({ name: 'LumenError', status: 404, code: 'task_not_found' });
  });
});

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

describe('downloads', () => {
  it('downloads every image of a succeeded task in order, never sending the key', async () => {
    const { client, sent } = setup([png(0), png(1), png(2)]);

    const images = await client.downloadImages(SUCCEEDED);

    expect(images).toEqual(IMAGE_URLS.map((url, index) => ({ url, bytes: PNGS[index], contentType: 'image/png' })));
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual(IMAGE_URLS.map((url) => `GET ${url}`));
    for (const request of sent) {
      expect(request.headers.has('authorization'), request.url).toBe(false);
      expect([...request.headers.keys()].filter((name) => name.includes(API_KEY))).toEqual([]);
    }
  });

  it('falls back to application/octet-stream without a Content-Type', async () => {
    const response = png(0);
    response.headers.delete('content-type');
    const { client } = setup([response]);

    await expect(client.downloadImage(IMAGE_URLS[0] as string)).resolves.toMatchObject({ contentType: 'application/octet-stream' });
  });

  it('throws LumenDownloadError for a non-2xx image and downloads no further image', async () => {
    const { client, sent } = setup([png(0), new Response('gone', { status: 404 }), png(2)]);

    const error = await rejectionOf(client.downloadImages(SUCCEEDED));

    expect(error).toBeInstanceOf(LumenDownloadError);
    expect(error).toMatchObject({
      name: 'LumenDownloadError',
      status: 404,
      kind: 'not_found',
      // The query of a presigned URL is its credential: kept out of the error.
      url: 'https://cdn.elsewhere.test/a1b2c3d4e5f6/1.png',
      body: 'gone',
      message: 'GET https://cdn.elsewhere.test/a1b2c3d4e5f6/1.png answered HTTP 404: gone',
    });
    expect(sent).toHaveLength(2);
  });

  it.each(['/a1b2c3/0.png', 'img/0.png', 'file:///etc/passwd', 'data:image/png;base64,AAAA', 'ftp://img.test/0.png', ''])(
    'refuses %j before sending anything',
    async (url) => {
      const { client, sent } = setup([png(0)]);

      await expect(client.downloadImage(url)).rejects.toThrow(TypeError);
      expect(sent).toHaveLength(0);
    },
  );

  it('refuses a succeeded task that lists no image', async () => {
    const { client, sent } = setup([png(0)]);
    const empty = { ...SUCCEEDED, data: [] } as unknown as typeof SUCCEEDED;

    await expect(client.downloadImages(empty)).rejects.toThrow(`Lumen task ${TASK_ID} is succeeded but lists no image in data`);
    expect(sent).toHaveLength(0);
  });

  describe('downloadImageToFile', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'lumen-test-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('writes the image to the file without the key and reports its size', async () => {
      const { client, sent } = setup([png(1)]);
      const target = path.join(dir, 'out.png');

      await expect(client.downloadImageToFile(IMAGE_URLS[1] as string, target)).resolves.toEqual({
        path: target,
        bytes: PNGS[1]?.byteLength,
      });
      expect(new Uint8Array(await readFile(target))).toEqual(PNGS[1]);
      expect(sent[0]?.headers.has('authorization')).toBe(false);
    });

    it('writes nothing when the download fails', async () => {
      const { client } = setup([new Response('denied', { status: 403 })]);

      await expect(client.downloadImageToFile(IMAGE_URLS[0] as string, path.join(dir, 'out.png'))).rejects.toMatchObject({
        name: 'LumenDownloadError',
        status: 403,
      });
      expect(await readdir(dir)).toEqual([]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Create + wait + download
// ---------------------------------------------------------------------------------------------

const RUNS = [
  { name: 'generateAndDownload', run: (c: LumenClient, o = {}) => c.generateAndDownload(GENERATION, o), path: '/v1/images/generations', body: GENERATION },
  { name: 'editAndDownload', run: (c: LumenClient, o = {}) => c.editAndDownload(EDIT, o), path: '/v1/images/edits', body: EDIT },
  { name: 'inpaintAndDownload', run: (c: LumenClient, o = {}) => c.inpaintAndDownload(INPAINT, o), path: '/v1/images/inpaint', body: INPAINT },
] as const;

describe('create, wait and download in one call', () => {
  it.each(RUNS)('$name: POST $path, polls, then downloads all n images without the key', async ({ run, path: apiPath, body }) => {
    const { client, sent } = setup([json(200, CREATED), json(200, task('processing')), json(200, SUCCEEDED), png(0), png(1), png(2)]);

    const result = await run(client, { wait: { sleep: async () => undefined } });

    expect(result).toEqual({
      task: SUCCEEDED,
      images: IMAGE_URLS.map((url, index) => ({ url, bytes: PNGS[index], contentType: 'image/png' })),
    });
    expect(sent.map((request) => [`${request.method} ${request.url}`, request.headers.get('authorization')])).toEqual([
      [`POST ${BASE_URL}${apiPath}`, AUTHORIZATION],
      [`GET ${BASE_URL}/v1/images/generations/${TASK_ID}`, AUTHORIZATION],
      [`GET ${BASE_URL}/v1/images/generations/${TASK_ID}`, AUTHORIZATION],
      ...IMAGE_URLS.map((url) => [`GET ${url}`, null]),
    ]);
    expect(JSON.parse(sent[0]?.body ?? 'null')).toEqual(body);
  });

  it.each(RUNS)('$name throws LumenTaskFailedError and downloads nothing when the task fails', async ({ run }) => {
    const { client, sent } = setup([json(200, CREATED), json(200, FAILED), png(0)]);

    await expect(run(client)).rejects.toMatchObject({ name: 'LumenTaskFailedError', code: 'upstream_error' });
    expect(sent).toHaveLength(2);
  });

  it.each(RUNS)('$name polls nothing when the submission is refused', async ({ run }) => {
    const { client, sent } = setup([json(402, { error: { code: 'insufficient_credits', message: 'insufficient credits' } })]);

    await expect(run(client)).rejects.toMatchObject({ name: 'LumenError', status: 402, code: 'insufficient_credits' });
    expect(sent).toHaveLength(1);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { client, sent } = setup([json(200, CREATED)]);
    const reason = new Error('already aborted');

    await expect(client.generateAndDownload(GENERATION, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it.each([
    { name: 'the outer signal', outer: true },
    { name: 'wait.signal', outer: false },
  ])('stops waiting when $name aborts between polls', async ({ outer }) => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { client, sent } = setup([json(200, CREATED), json(200, task('queued')), json(200, SUCCEEDED), png(0)]);

    const error = await rejectionOf(
      client.generateAndDownload(GENERATION, {
        signal: outer ? controller.signal : new AbortController().signal,
        wait: {
          signal: outer ? undefined : controller.signal,
          onStatus: () => controller.abort(reason),
          sleep: async (_ms, signal) => signal?.throwIfAborted(),
        },
      }),
    );

    expect(error).toBe(reason);
    expect(sent).toHaveLength(2);
  });
});
