import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { ApiError, JobFailedError, isApiError } from '@imagegen/client-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import type {
  CheckCompletedData,
  CheckFailedData,
  CheckProcessingData,
  LumozAIClient,
  LumozAIClientOptions,
  LumozAIErrorCode,
  RateLimit,
  RunAcceptedData,
  RunCompletedData,
  RunParameters,
  operations,
} from '../src/index.js';
import {
  LumozAIError,
  LumozAIRequestFailedError,
  LumozAIValidationError,
  RATE_LIMIT_HEADERS,
  createLumozAIClient,
  formBody,
  msUntilRateLimitReset,
  outputUrlOf,
  rateLimitFromHeaders,
} from '../src/index.js';
import { rejectionOf, scriptedFetch } from '@imagegen/client-kit/testing';
import type { Reply } from '@imagegen/client-kit/testing';

// ---------------------------------------------------------------------------------------------
// A fetch that records every request and answers with scripted replies, one per request.
// ---------------------------------------------------------------------------------------------

const BASE_URL = 'https://lumozai.test/api/v4';
const API_KEY = 'lumoz_test_key';
const NOW = Date.parse('2026-05-16T18:00:00Z');
/** The window resets 40 s after NOW. */
const RESET = NOW / 1000 + 40;
const RATE_LIMIT: RateLimit = { limit: 100, remaining: 42, reset: RESET };
const RATE_LIMIT_HEADER_VALUES: Record<string, string> = {
  'X-RateLimit-Limit': '100',
  'X-RateLimit-Remaining': '42',
  'X-RateLimit-Reset': String(RESET),
};

/** A client over a scripted fetch; retries record their delay instead of sleeping, at a fixed NOW. */
function setup(replies: readonly Reply[], options: Partial<LumozAIClientOptions> = {}) {
  const { fetch: fakeFetch, sent } = scriptedFetch(replies);
  const delays: number[] = [];
  const client = createLumozAIClient({
    apiKey: API_KEY,
    baseUrl: BASE_URL,
    fetch: fakeFetch,
    retry: {
      random: () => 0.5,
      now: () => NOW,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
    ...options,
  });
  return { client, sent, delays };
}

/** A JSON answer carrying the rate-limit headers, as every LumozAI answer does. */
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...RATE_LIMIT_HEADER_VALUES, ...headers },
  });

// ---------------------------------------------------------------------------------------------
// The spec, and fixtures typed by its schemas (values from its examples).
// ---------------------------------------------------------------------------------------------

type Node = Record<string, unknown>;
const SPEC = parse(await readFile(createRequire(import.meta.url).resolve('@imagegen/spec/lumozai/openapi.yaml'), 'utf8')) as Node;

/** Follows local `$ref`s through the spec. */
function resolve(node: unknown): Node {
  let current = node as Node;
  while (typeof current?.$ref === 'string') {
    current = (current.$ref as string).slice(2).split('/').reduce<Node>((parent, key) => parent[key] as Node, SPEC);
  }
  return current;
}

const at = (node: unknown, ...keys: string[]): Node => keys.reduce<Node>((parent, key) => resolve(parent[key]), resolve(node));

const REQUEST_ID = 212121212121212;
const OUTPUT_URL = 'https://lumozai.test/storage/outputs/image_12345.jpg';
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);

const HIDREAM = at(SPEC, 'components', 'examples', 'RunHidreamL1').value as RunParameters;

const COMPLETED_RUN: RunCompletedData = { request_id: REQUEST_ID, output: OUTPUT_URL, output_type: 'image' };
const ACCEPTED_RUN: RunAcceptedData = { request_id: REQUEST_ID };
const PROCESSING = (progress: number): CheckProcessingData => ({ request_id: REQUEST_ID, status: 'processing', progress });
const COMPLETED: CheckCompletedData = { request_id: REQUEST_ID, status: 'completed', output: OUTPUT_URL, output_type: 'image' };
const FAILED: CheckFailedData = {
  request_id: REQUEST_ID,
  status: 'failed',
  error: 'Model execution failed due to invalid parameters',
};
const ok = (data: unknown): Response => json(200, { success: true, data });
const failedRun = (): Response => json(200, { success: false, data: FAILED });

const jpeg = (headers: Record<string, string> = {}): Response =>
  new Response(JPEG, { status: 200, headers: { 'Content-Type': 'image/jpeg', ...headers } });

/** The fields of a `-d "name=value"` curl example, in order. */
function curlFields(operationId: string): Array<[string, string]> {
  for (const item of Object.values(SPEC.paths as Node)) {
    for (const operation of Object.values(item as Node)) {
      const op = operation as Node;
      if (op.operationId !== operationId) continue;
      const curl = (op['x-codeSamples'] as Array<{ lang: string; source: string }>).find((sample) => sample.lang === 'Shell');
      return [...(curl?.source ?? '').matchAll(/-d "([^"=]+)=([^"]*)"/g)].map(([, name = '', value = '']) => [name, value]);
    }
  }
  throw new Error(`no operation ${operationId}`);
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

describe('what each method sends', () => {
  it('run sends the documented curl example’s fields as a form, with the Bearer key and Accept: application/json', async () => {
    const { client, sent } = setup([ok(COMPLETED_RUN)]);

    await client.run(HIDREAM);

    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`${BASE_URL}/run`);
    expect(request?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request?.headers.get('accept')).toBe('application/json');
    expect(request?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect([...new URLSearchParams(request?.body)]).toEqual(curlFields('runModel'));
    expect(curlFields('runModel')).toHaveLength(5);
  });

  it('check sends the documented curl example’s request_id as a form', async () => {
    const { client, sent } = setup([ok(PROCESSING(45))]);

    await client.check(REQUEST_ID);

    expect(sent[0]).toMatchObject({ method: 'POST', url: `${BASE_URL}/check`, body: 'request_id=212121212121212' });
    expect([...new URLSearchParams(sent[0]?.body)]).toEqual(curlFields('checkRequest'));
    expect(sent[0]?.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(sent[0]?.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
  });

  it('run sends model-specific parameters as text and leaves out undefined ones', async () => {
    const { client, sent } = setup([ok(ACCEPTED_RUN)]);

    await client.run({ model_id: 'flux-dev', prompt: 'a fox', seed: 42, enhance: true, webhook: undefined, style: 'a&b=c' });

    expect(sent[0]?.body).toBe('model_id=flux-dev&prompt=a+fox&seed=42&enhance=true&style=a%26b%3Dc');
  });

  it('strips a trailing slash from baseUrl', async () => {
    const { client, sent } = setup([ok(PROCESSING(1))], { baseUrl: `${BASE_URL}/` });

    await client.check(REQUEST_ID);

    expect(sent[0]?.url).toBe(`${BASE_URL}/check`);
  });

  it('keeps an Authorization the caller set on a raw request', async () => {
    const { client, sent } = setup([ok(PROCESSING(1))]);

    await client.raw.POST('/check', { body: { request_id: REQUEST_ID }, headers: { Authorization: 'Bearer other' } });

    expect(sent[0]?.headers.get('authorization')).toBe('Bearer other');
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 53])('check refuses request_id %s without sending anything', async (requestId) => {
    const { client, sent } = setup([ok(PROCESSING(1))]);

    await expect(client.check(requestId)).rejects.toThrow(TypeError);
    expect(sent).toHaveLength(0);
  });

  it('keeps a 15-digit request_id exact both ways', async () => {
    const id = 987654321098765;
    const { client, sent } = setup([ok({ ...PROCESSING(3), request_id: id })]);

    await expect(client.check(id)).resolves.toMatchObject({ request_id: id });
    expect(sent[0]?.body).toBe(`request_id=${id}`);
  });
});

describe('formBody', () => {
  it.each<{ fields: Record<string, unknown>; body: string }>([
    { fields: { model_id: 'hidream-l1' }, body: 'model_id=hidream-l1' },
    { fields: { guidance_scale: 7.5, num_inference_steps: 30 }, body: 'guidance_scale=7.5&num_inference_steps=30' },
    { fields: { flag: false, blank: '' }, body: 'flag=false&blank=' },
    { fields: { gone: undefined, none: null, kept: 'x' }, body: 'kept=x' },
    { fields: { prompt: 'blurry, low quality' }, body: 'prompt=blurry%2C+low+quality' },
    { fields: { 'näme': 'välue' }, body: 'n%C3%A4me=v%C3%A4lue' },
  ])('$fields → $body', ({ fields, body }) => {
    expect(formBody(fields)).toBe(body);
  });

  it.each<{ name: string; value: unknown }>([
    { name: 'an object', value: { a: 1 } },
    { name: 'an array', value: ['a'] },
    { name: 'NaN', value: Number.NaN },
    { name: 'Infinity', value: Number.POSITIVE_INFINITY },
    { name: 'a bigint', value: 1n },
  ])('refuses $name with a TypeError naming the field', ({ value }) => {
    expect(() => formBody({ model_id: 'x', loras: value })).toThrow(/loras/);
  });
});

// ---------------------------------------------------------------------------------------------
// Successful answers
// ---------------------------------------------------------------------------------------------

describe('run answers', () => {
  it.each<{ name: string; data: RunCompletedData | RunAcceptedData; finished: boolean }>([
    { name: 'finished within the request', data: COMPLETED_RUN, finished: true },
    { name: 'needs more time: only the request_id', data: ACCEPTED_RUN, finished: false },
  ])('$name → finished: $finished', async ({ data, finished }) => {
    const { client } = setup([ok(data)]);

    await expect(client.run(HIDREAM)).resolves.toEqual({ finished, data });
  });
});

describe('check answers', () => {
  it.each<{ name: string; data: CheckProcessingData | CheckCompletedData }>([
    { name: 'processing with progress', data: PROCESSING(45) },
    { name: 'completed with the output', data: COMPLETED },
  ])('$name', async ({ data }) => {
    const { client } = setup([ok(data)]);

    await expect(client.check(REQUEST_ID)).resolves.toEqual(data);
  });

  it('failed (HTTP 200, success: false) → LumozAIRequestFailedError carrying the failed data', async () => {
    const { client, sent } = setup([failedRun()]);

    const error = await rejectionOf(client.check(REQUEST_ID));

    expect(error).toBeInstanceOf(LumozAIRequestFailedError);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({
      name: 'LumozAIRequestFailedError',
      job: FAILED,
      requestId: REQUEST_ID,
      message: 'Model execution failed due to invalid parameters',
    });
    expect(sent).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------------

type Responses<Op extends keyof operations> = operations[Op]['responses'];
type ErrorEnvelope<C extends string = string> = { content: { 'application/json': { success: false; error: { code: C } } } };
/** The statuses of `Op` whose documented body is an error envelope. */
type ErrorStatus<Op extends keyof operations> = {
  [S in keyof Responses<Op>]: Responses<Op>[S] extends ErrorEnvelope ? S : never;
}[keyof Responses<Op>];
type ErrorCodeAt<Op extends keyof operations, S extends keyof Responses<Op>> =
  Responses<Op>[S] extends ErrorEnvelope<infer C> ? C : never;

/**
 * Every documented error status of every operation, and the `error.code` it carries. `satisfies`
 * makes the table exact against the generated types; the test below also checks it against the YAML.
 */
const DOCUMENTED_ERRORS = {
  runModel: {
    401: 'authentication_failed',
    403: 'permission_denied',
    404: 'model_not_found',
    422: 'validation_error',
    429: 'rate_limit_exceeded',
    500: 'internal_server_error',
  },
  checkRequest: {
    401: 'authentication_failed',
    403: 'permission_denied',
    422: 'validation_error',
    429: 'rate_limit_exceeded',
    500: 'internal_server_error',
  },
} as const satisfies { [Op in keyof operations]: { [S in ErrorStatus<Op>]: ErrorCodeAt<Op, S> } };

/** How the client calls each operation. */
const CALLS = {
  runModel: (c) => c.run(HIDREAM),
  checkRequest: (c) => c.check(REQUEST_ID),
} satisfies Record<keyof operations, (client: LumozAIClient) => Promise<unknown>>;

const ERROR_ROWS = Object.entries(DOCUMENTED_ERRORS).flatMap(([operation, errors]) =>
  Object.entries(errors as Record<string, LumozAIErrorCode>).map(([status, code]) => ({
    operation: operation as keyof operations,
    status: Number(status),
    code,
  })),
);

/** `operationId → { status: error.code }` for every error response the YAML documents. */
function documentedErrorsInSpec(): Record<string, Record<string, string>> {
  const result: Record<string, Record<string, string>> = {};
  for (const item of Object.values(SPEC.paths as Node)) {
    for (const operation of Object.values(item as Node)) {
      const op = operation as Node;
      const errors: Record<string, string> = {};
      for (const [status, response] of Object.entries(op.responses as Node)) {
        if (Number(status) < 400) continue;
        const code = at(response, 'content', 'application/json', 'schema', 'properties', 'error', 'properties', 'code');
        errors[status] = (code.enum as string[]).join('|');
      }
      result[op.operationId as string] = errors;
    }
  }
  return result;
}

describe('error mapping', () => {
  it('covers what spec/lumozai/openapi.yaml documents, status by status', () => {
    expect(documentedErrorsInSpec()).toEqual(
      Object.fromEntries(
        Object.entries(DOCUMENTED_ERRORS).map(([operation, errors]) => [
          operation,
          Object.fromEntries(Object.entries(errors).map(([status, code]) => [String(status), code])),
        ]),
      ),
    );
  });

  it('each documented code has one status, so a status can be derived from a code', () => {
    const statusOf = new Map<string, Set<number>>();
    for (const { code, status } of ERROR_ROWS) statusOf.set(code, (statusOf.get(code) ?? new Set()).add(status));
    expect(Object.fromEntries([...statusOf].map(([code, statuses]) => [code, [...statuses]]))).toEqual({
      authentication_failed: [401],
      permission_denied: [403],
      model_not_found: [404],
      validation_error: [422],
      rate_limit_exceeded: [429],
      internal_server_error: [500],
    });
  });

  it.each(ERROR_ROWS)('$operation: HTTP $status → $code, rate limit readable', async ({ operation, status, code }) => {
    const details = code === 'validation_error' ? { model_id: ['The model_id field is required.'] } : undefined;
    const envelope = { success: false, error: { code, message: `the server says ${code}`, ...(details && { details }) } };
    const { client, sent } = setup([json(status, envelope)], { retry: false });

    const error = await rejectionOf(CALLS[operation](client));

    expect(error).toBeInstanceOf(LumozAIError);
    expect(error).toBeInstanceOf(ApiError);
    expect(isApiError(error)).toBe(true);
    expect(error instanceof LumozAIValidationError).toBe(code === 'validation_error');
    expect(error).toMatchObject({
      name: code === 'validation_error' ? 'LumozAIValidationError' : 'LumozAIError',
      status,
      code,
      message: `the server says ${code}`,
      body: envelope,
      details,
      rateLimit: RATE_LIMIT,
    });
    expect((error as LumozAIError).headers.get('x-ratelimit-remaining')).toBe('42');
    expect(sent).toHaveLength(1);
  });

  it('422 details are a field → messages map', async () => {
    const details = {
      model_id: ['The model_id field is required.'],
      num_inference_steps: ['The num_inference_steps field must be an integer.', 'It must be at least 1.'],
    };
    const { client } = setup([json(422, { success: false, error: { code: 'validation_error', message: 'invalid', details } })]);

    const error = await rejectionOf(client.run({ model_id: '' }));

    if (!(error instanceof LumozAIValidationError)) throw new Error(`expected a LumozAIValidationError, got ${String(error)}`);
    expect(error.details).toEqual(details);
    expect(error.details.num_inference_steps?.[1]).toBe('It must be at least 1.');
  });

  it.each<{ name: string; reply: () => Response; status: number; code?: string; message: string; validation?: boolean }>([
    {
      name: 'an error envelope on HTTP 200',
      reply: () => json(200, { success: false, error: { code: 'internal_server_error', message: 'oops' } }),
      status: 200,
      code: 'internal_server_error',
      message: 'oops',
    },
    {
      name: 'HTTP 200 with neither success: true nor an envelope',
      reply: () => json(200, { success: false }),
      status: 200,
      message: 'LumozAI answered HTTP 200 without success: true or an error envelope',
    },
    {
      name: 'a validation_error whose details are not a map of messages',
      reply: () => json(422, { success: false, error: { code: 'validation_error', message: 'bad', details: ['x'] } }),
      status: 422,
      code: 'validation_error',
      message: 'bad',
      validation: false,
    },
    {
      name: 'an HTML error page',
      reply: () => new Response('<html>Bad Gateway</html>', { status: 502, headers: { 'Content-Type': 'text/html' } }),
      status: 502,
      message: 'LumozAI answered HTTP 502 without success: true or an error envelope',
    },
  ])('$name → LumozAIError', async ({ reply, status, code, message, validation = false }) => {
    const { client } = setup([reply()], { retry: false });

    const error = await rejectionOf(client.check(REQUEST_ID));

    expect(error).toBeInstanceOf(LumozAIError);
    expect(error instanceof LumozAIValidationError).toBe(validation);
    expect(error).toMatchObject({ status, code, message });
  });
});

// ---------------------------------------------------------------------------------------------
// Rate limits
// ---------------------------------------------------------------------------------------------

describe('rate-limit headers', () => {
  it('are reported for every answer, retried attempts and errors included', async () => {
    const seen: Array<[RateLimit, number, string]> = [];
    const tooMany = json(429, { success: false, error: { code: 'rate_limit_exceeded', message: 'slow down' } }, {
      'X-RateLimit-Remaining': '0',
      'Retry-After': '1',
    });
    const { client } = setup([tooMany, ok(ACCEPTED_RUN), ok(PROCESSING(10))], {
      onRateLimit: (rateLimit, answer) => seen.push([rateLimit, answer.status, answer.url]),
    });

    await client.run(HIDREAM);
    await client.check(REQUEST_ID);

    expect(seen).toEqual([
      [{ ...RATE_LIMIT, remaining: 0 }, 429, `${BASE_URL}/run`],
      [RATE_LIMIT, 200, `${BASE_URL}/run`],
      [RATE_LIMIT, 200, `${BASE_URL}/check`],
    ]);
  });

  it('are not reported for output downloads', async () => {
    const seen: RateLimit[] = [];
    const { client } = setup([jpeg(RATE_LIMIT_HEADER_VALUES)], { onRateLimit: (rateLimit) => seen.push(rateLimit) });

    await client.download(OUTPUT_URL);

    expect(seen).toEqual([]);
  });

  it.each<{ name: string; headers: Record<string, string>; rateLimit: RateLimit | undefined }>([
    { name: 'all three', headers: RATE_LIMIT_HEADER_VALUES, rateLimit: RATE_LIMIT },
    { name: 'whitespace around values', headers: { ...RATE_LIMIT_HEADER_VALUES, 'X-RateLimit-Limit': ' 100 ' }, rateLimit: RATE_LIMIT },
    { name: 'one missing', headers: { 'X-RateLimit-Limit': '100', 'X-RateLimit-Reset': '1' }, rateLimit: undefined },
    { name: 'a negative value', headers: { ...RATE_LIMIT_HEADER_VALUES, 'X-RateLimit-Remaining': '-1' }, rateLimit: undefined },
    { name: 'a fraction', headers: { ...RATE_LIMIT_HEADER_VALUES, 'X-RateLimit-Reset': '17.5' }, rateLimit: undefined },
    { name: 'an HTTP date', headers: { ...RATE_LIMIT_HEADER_VALUES, 'X-RateLimit-Reset': 'Sat, 16 May 2026 18:00:00 GMT' }, rateLimit: undefined },
  ])('rateLimitFromHeaders: $name', ({ headers, rateLimit }) => {
    expect(rateLimitFromHeaders(new Headers(headers))).toEqual(rateLimit);
  });

  it.each<{ reset: string | undefined; ms: number | undefined }>([
    { reset: String(RESET), ms: 40_000 },
    { reset: String(NOW / 1000 - 5), ms: 0 },
    { reset: undefined, ms: undefined },
    { reset: 'soon', ms: undefined },
  ])('msUntilRateLimitReset($reset) = $ms', ({ reset, ms }) => {
    const headers = new Headers(reset === undefined ? {} : { [RATE_LIMIT_HEADERS.reset]: reset });
    expect(msUntilRateLimitReset(headers, NOW)).toBe(ms);
  });
});

// ---------------------------------------------------------------------------------------------
// Retries through the client
// ---------------------------------------------------------------------------------------------

const errorReply = (status: number, code: LumozAIErrorCode, headers: Record<string, string> = {}) => () =>
  json(status, { success: false, error: { code, message: code } }, headers);
const serverError = errorReply(500, 'internal_server_error');
const rateLimited = (headers: Record<string, string> = {}) => errorReply(429, 'rate_limit_exceeded', headers)();
const unavailable = () => new Response('upstream down', { status: 503 });
const networkError = () => new TypeError('fetch failed');

describe('retries', () => {
  it.each<{ name: string; call: (c: LumozAIClient) => Promise<unknown>; first: () => Reply; final: () => Response; sends: number }>([
    { name: 'check: a 503 is retried (it only reads)', call: (c) => c.check(REQUEST_ID), first: unavailable, final: () => ok(PROCESSING(5)), sends: 2 },
    { name: 'check: a network error is retried', call: (c) => c.check(REQUEST_ID), first: networkError, final: () => ok(PROCESSING(5)), sends: 2 },
    { name: 'check: a 429 is retried', call: (c) => c.check(REQUEST_ID), first: () => rateLimited(), final: () => ok(PROCESSING(5)), sends: 2 },
    { name: 'check: a 500 is retried too (the documented server error; a check changes nothing)', call: (c) => c.check(REQUEST_ID), first: serverError, final: () => ok(PROCESSING(5)), sends: 2 },
    { name: 'run: a 429 started nothing and is retried', call: (c) => c.run(HIDREAM), first: () => rateLimited(), final: () => ok(ACCEPTED_RUN), sends: 2 },
    { name: 'run: a 503 may have started a run', call: (c) => c.run(HIDREAM), first: unavailable, final: () => ok(ACCEPTED_RUN), sends: 1 },
    { name: 'run: a 500 may have started a run', call: (c) => c.run(HIDREAM), first: serverError, final: () => ok(ACCEPTED_RUN), sends: 1 },
    { name: 'run: a network error may have started a run', call: (c) => c.run(HIDREAM), first: networkError, final: () => ok(ACCEPTED_RUN), sends: 1 },
    { name: 'download: a 503 is retried (a GET)', call: (c) => c.download(OUTPUT_URL), first: unavailable, final: () => jpeg(), sends: 2 },
  ])('$name', async ({ call, first, final, sends }) => {
    const { client, sent } = setup([first(), final()]);

    const outcome = await call(client).then(
      () => 'resolved',
      () => 'rejected',
    );

    expect(sent).toHaveLength(sends);
    expect(outcome).toBe(sends === 2 ? 'resolved' : 'rejected');
    if (sends === 2) expect(sent[1]?.body).toBe(sent[0]?.body);
  });

  it.each<{ name: string; headers: Record<string, string>; delays: number[] }>([
    { name: 'without Retry-After, waits until X-RateLimit-Reset', headers: {}, delays: [40_000] },
    { name: 'a reset already passed retries at once', headers: { 'X-RateLimit-Reset': String(NOW / 1000 - 3) }, delays: [0] },
    { name: 'Retry-After wins over X-RateLimit-Reset', headers: { 'Retry-After': '2' }, delays: [2_000] },
    { name: 'without either, backs off with jitter', headers: { 'X-RateLimit-Reset': '' }, delays: [250] },
  ])('429 on run: $name', async ({ headers, delays: expected }) => {
    const reply = rateLimited(headers);
    if (headers['X-RateLimit-Reset'] === '') reply.headers.delete('X-RateLimit-Reset');
    const { client, delays, sent } = setup([reply, ok(ACCEPTED_RUN)]);

    await expect(client.run(HIDREAM)).resolves.toEqual({ finished: false, data: ACCEPTED_RUN });

    expect(delays).toEqual(expected);
    expect(sent).toHaveLength(2);
  });

  it('a reset further off than maxRetryAfterMs throws the 429 at once, its reset readable', async () => {
    const inAnHour = NOW / 1000 + 3_600;
    const { client, delays, sent } = setup([rateLimited({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(inAnHour) }), ok(ACCEPTED_RUN)]);

    const error = await rejectionOf(client.run(HIDREAM));

    expect(error).toMatchObject({ status: 429, code: 'rate_limit_exceeded', rateLimit: { limit: 100, remaining: 0, reset: inAnHour } });
    expect(delays).toEqual([]);
    expect(sent).toHaveLength(1);
  });

  it('gives up after 4 attempts by default and throws the last answer', async () => {
    const { client, sent, delays } = setup([unavailable(), unavailable(), unavailable(), rateLimited(), ok(PROCESSING(1))]);

    await expect(client.check(REQUEST_ID)).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(sent).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it.each([
    { name: 'run', call: (c: LumozAIClient) => c.run(HIDREAM) },
    { name: 'check', call: (c: LumozAIClient) => c.check(REQUEST_ID) },
  ])('retry: false sends $name once', async ({ call }) => {
    const { client, sent } = setup([rateLimited(), rateLimited()], { retry: false });

    await expect(call(client)).rejects.toMatchObject({ status: 429 });
    expect(sent).toHaveLength(1);
  });

  it('a shouldRetry of the caller replaces the policy', async () => {
    const { client, sent } = setup([unavailable(), ok(ACCEPTED_RUN)], {
      retry: { sleep: async () => undefined, shouldRetry: () => true },
    });

    await expect(client.run(HIDREAM)).resolves.toMatchObject({ finished: false });
    expect(sent).toHaveLength(2);
  });

  it('passes the other retry options on, keeping the policy', async () => {
    const retried: number[] = [];
    const { client, sent } = setup([unavailable(), unavailable(), ok(PROCESSING(1))], {
      retry: { maxAttempts: 2, sleep: async () => undefined, onRetry: (info) => retried.push(info.attempt) },
    });

    await expect(client.check(REQUEST_ID)).rejects.toMatchObject({ status: 503 });
    expect(sent).toHaveLength(2);
    expect(retried).toEqual([1]);
  });
});

// ---------------------------------------------------------------------------------------------
// waitForRequest
// ---------------------------------------------------------------------------------------------

describe('waitForRequest', () => {
  it('polls processing → completed, reports progress and returns the completed data', async () => {
    const { client, sent } = setup([ok(PROCESSING(0)), ok(PROCESSING(45)), ok(COMPLETED)]);
    const progress: number[] = [];
    const statuses: string[] = [];
    const sleeps: number[] = [];

    const done = await client.waitForRequest(REQUEST_ID, {
      intervalMs: 100,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onProgress: (percent, data) => progress.push(data.request_id === REQUEST_ID ? percent : -1),
      onStatus: (data, info) => statuses.push(`${info.attempt}:${data.status}`),
    });

    expect(done).toEqual(COMPLETED);
    expect(progress).toEqual([0, 45]);
    expect(statuses).toEqual(['1:processing', '2:processing', '3:completed']);
    expect(sleeps).toEqual([100, 150]);
    expect(sent.map((request) => `${request.method} ${request.url} ${request.body}`)).toEqual(
      Array(3).fill(`POST ${BASE_URL}/check request_id=${REQUEST_ID}`),
    );
  });

  it('throws LumozAIRequestFailedError when the run fails', async () => {
    const { client } = setup([ok(PROCESSING(80)), failedRun()]);

    await expect(client.waitForRequest(REQUEST_ID, { sleep: async () => undefined })).rejects.toMatchObject({
      name: 'LumozAIRequestFailedError',
      job: FAILED,
    });
  });

  it('throws the LumozAIError of a failed check', async () => {
    const { client } = setup([errorReply(401, 'authentication_failed')()]);

    await expect(client.waitForRequest(REQUEST_ID)).rejects.toMatchObject({ status: 401, code: 'authentication_failed' });
  });

  it('rejects promptly with the abort reason while sleeping between polls', async () => {
    const { client, sent } = setup([ok(PROCESSING(1)), ok(COMPLETED)]);
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const startedAt = performance.now();

    const error = await rejectionOf(
      client.waitForRequest(REQUEST_ID, { intervalMs: 60_000, signal: controller.signal, onProgress: () => controller.abort(reason) }),
    );

    expect(error).toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(sent).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------------------------

describe('download', () => {
  it('fetches the output URL with a plain GET: no API key, even on another host', async () => {
    const cdn = 'https://cdn.elsewhere.test/outputs/image_12345.jpg';
    const { client, sent } = setup([jpeg()]);

    const output = await client.download(cdn);

    expect(output).toEqual({ bytes: JPEG, contentType: 'image/jpeg', filename: 'image_12345.jpg' });
    expect(sent[0]?.method).toBe('GET');
    expect(sent[0]?.url).toBe(cdn);
    expect(sent[0]?.headers.has('authorization')).toBe(false);
  });

  it.each<{ name: string; url: string; headers: Record<string, string>; filename: string | undefined; contentType: string }>([
    { name: 'Content-Disposition wins', url: OUTPUT_URL, headers: { 'Content-Disposition': 'attachment; filename="sunset.jpg"' }, filename: 'sunset.jpg', contentType: 'image/jpeg' },
    { name: 'an encoded name', url: 'https://lumozai.test/storage/outputs/na%C3%AFve%20one.jpg', headers: {}, filename: 'naïve one.jpg', contentType: 'image/jpeg' },
    { name: 'an encoded slash cannot add a directory', url: 'https://lumozai.test/storage/outputs/..%2F..%2Fetc', headers: {}, filename: '....etc', contentType: 'image/jpeg' },
    { name: 'no name in the path', url: 'https://lumozai.test/storage/outputs/', headers: {}, filename: undefined, contentType: 'image/jpeg' },
    { name: 'no Content-Type', url: OUTPUT_URL, headers: { 'Content-Type': '' }, filename: 'image_12345.jpg', contentType: 'application/octet-stream' },
  ])('$name', async ({ url, headers, filename, contentType }) => {
    const response = jpeg();
    for (const [name, value] of Object.entries(headers)) {
      if (value === '') response.headers.delete(name);
      else response.headers.set(name, value);
    }
    const { client } = setup([response]);

    const output = await client.download(url);

    expect(output.filename).toBe(filename);
    expect(output.contentType).toBe(contentType);
  });

  it('resolves a relative output URL against baseUrl', async () => {
    const { client, sent } = setup([jpeg()]);

    await client.download('/storage/outputs/image_12345.jpg');

    expect(sent[0]?.url).toBe('https://lumozai.test/storage/outputs/image_12345.jpg');
  });

  it.each(['file:///etc/passwd', 'data:image/jpeg;base64,/9j/', 'javascript:alert(1)', 'http://[bad'])(
    'refuses %s without fetching',
    async (url) => {
      const { client, sent } = setup([jpeg()]);

      await expect(client.download(url)).rejects.toThrow(TypeError);
      expect(sent).toHaveLength(0);
    },
  );

  it('throws the shared DownloadError with the status when the download fails, without sending the key', async () => {
    const { client, sent } = setup([new Response('gone', { status: 404 })]);

    await expect(client.download(OUTPUT_URL)).rejects.toMatchObject({
      name: 'DownloadError',
      kind: 'not_found',
      status: 404,
      body: 'gone',
      message: `GET ${OUTPUT_URL} answered HTTP 404: gone`,
    });
    expect(sent[0]?.headers.has('authorization')).toBe(false);
    expect(sent[0]?.credentials).toBe('omit');
  });

  it('outputUrlOf keeps absolute URLs and resolves relative ones', () => {
    expect(outputUrlOf(OUTPUT_URL, BASE_URL).href).toBe(OUTPUT_URL);
    expect(outputUrlOf('outputs/x.jpg', `${BASE_URL}/`).href).toBe(`${BASE_URL}/outputs/x.jpg`);
  });
});

describe('downloadToFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'lumozai-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the output to the file and reports its size', async () => {
    const { client, sent } = setup([jpeg()]);
    const target = path.join(dir, 'out.jpg');

    await expect(client.downloadToFile(OUTPUT_URL, target)).resolves.toEqual({ path: target, bytes: JPEG.byteLength });
    expect(new Uint8Array(await readFile(target))).toEqual(JPEG);
    expect(sent[0]?.headers.has('authorization')).toBe(false);
  });

  it('writes nothing when the download fails', async () => {
    const { client } = setup([new Response('gone', { status: 410 })]);

    await expect(client.downloadToFile(OUTPUT_URL, path.join(dir, 'out.jpg'))).rejects.toMatchObject({ status: 410 });
    expect(await readdir(dir)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// runAndDownload
// ---------------------------------------------------------------------------------------------

describe('runAndDownload', () => {
  it('downloads at once when the run finished within the request', async () => {
    const { client, sent } = setup([ok(COMPLETED_RUN), jpeg()]);

    const result = await client.runAndDownload(HIDREAM);

    expect(result).toEqual({ result: COMPLETED_RUN, file: { bytes: JPEG, contentType: 'image/jpeg', filename: 'image_12345.jpg' } });
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([`POST ${BASE_URL}/run`, `GET ${OUTPUT_URL}`]);
  });

  it('waits on the request_id when the model needs more time', async () => {
    const { client, sent } = setup([ok(ACCEPTED_RUN), ok(PROCESSING(50)), ok(COMPLETED), jpeg()]);
    const progress: number[] = [];

    const result = await client.runAndDownload(HIDREAM, {
      wait: { sleep: async () => undefined, onProgress: (percent) => progress.push(percent) },
    });

    expect(result.result).toEqual(COMPLETED);
    expect(progress).toEqual([50]);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      `POST ${BASE_URL}/run`,
      `POST ${BASE_URL}/check`,
      `POST ${BASE_URL}/check`,
      `GET ${OUTPUT_URL}`,
    ]);
  });

  it('throws LumozAIRequestFailedError and downloads nothing when the run fails', async () => {
    const { client, sent } = setup([ok(ACCEPTED_RUN), failedRun(), jpeg()]);

    await expect(client.runAndDownload(HIDREAM)).rejects.toBeInstanceOf(LumozAIRequestFailedError);
    expect(sent).toHaveLength(2);
  });

  it('sends nothing when the signal has already aborted', async () => {
    const { client, sent } = setup([ok(COMPLETED_RUN)]);
    const reason = new Error('already aborted');

    await expect(client.runAndDownload(HIDREAM, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(sent).toHaveLength(0);
  });

  it('stops waiting when wait.signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up waiting');
    const { client, sent } = setup([ok(ACCEPTED_RUN), ok(PROCESSING(1)), ok(COMPLETED), jpeg()]);

    const error = await rejectionOf(
      client.runAndDownload(HIDREAM, {
        signal: new AbortController().signal,
        wait: { signal: controller.signal, onProgress: () => controller.abort(reason), sleep: async (_ms, signal) => signal?.throwIfAborted() },
      }),
    );

    expect(error).toBe(reason);
    expect(sent).toHaveLength(2);
  });
});
