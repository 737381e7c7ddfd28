import { describe, expect, it } from 'vitest';
import type { RetryDecision, RetryInfo, RetryingFetchOptions } from '../src/retrying-fetch.js';
import { createRetryingFetch } from '../src/retrying-fetch.js';

interface SentRequest {
  method: string;
  url: string;
  body: string;
  idempotencyKey: string | null;
}

type Reply = Response | Error | ((request: Request) => Response | Promise<Response>);

/** A fetch that answers with `replies` in turn (repeating the last) and records what it was sent. */
function scriptedFetch(replies: readonly Reply[]): { fetch: typeof fetch; sent: SentRequest[] } {
  const sent: SentRequest[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const reply = replies[Math.min(sent.length, replies.length - 1)];
    sent.push({
      method: request.method,
      url: request.url,
      body: await request.text(),
      idempotencyKey: request.headers.get('idempotency-key'),
    });
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply(request);
    if (reply === undefined) throw new Error('no reply scripted');
    // A Response can be returned once; hand out copies so a repeated reply stays readable.
    return reply.clone();
  };
  return { fetch: fakeFetch, sent };
}

function setup(replies: readonly Reply[], options: RetryingFetchOptions = {}) {
  const { fetch: fakeFetch, sent } = scriptedFetch(replies);
  const delays: number[] = [];
  const retries: RetryInfo[] = [];
  const retryingFetch = createRetryingFetch(fakeFetch, {
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    onRetry: (info) => retries.push(info),
    ...options,
  });
  return { retryingFetch, sent, delays, retries };
}

const URL_ = 'https://api.example.test/v1/jobs';
const status = (code: number, headers?: HeadersInit, body: string | null = null): Response =>
  new Response(body, { status: code, headers });

describe('createRetryingFetch: which requests may be repeated', () => {
  it.each<{ method: string; headers: Record<string, string>; sends: number }>([
    { method: 'GET', headers: {}, sends: 3 },
    { method: 'HEAD', headers: {}, sends: 3 },
    { method: 'OPTIONS', headers: {}, sends: 3 },
    { method: 'PUT', headers: {}, sends: 3 },
    { method: 'DELETE', headers: {}, sends: 3 },
    { method: 'POST', headers: {}, sends: 1 },
    { method: 'PATCH', headers: {}, sends: 1 },
    { method: 'POST', headers: { 'Idempotency-Key': 'job-1' }, sends: 3 },
    { method: 'POST', headers: { 'idempotency-key': 'job-1' }, sends: 3 },
    { method: 'PATCH', headers: { 'Idempotency-Key': 'job-1' }, sends: 3 },
  ])('$method with headers $headers is sent $sends time(s) while the server answers 503', async ({ method, headers, sends }) => {
    const { retryingFetch, sent } = setup([status(503)], { maxAttempts: 3 });

    const response = await retryingFetch(URL_, { method, headers });

    expect(response.status).toBe(503);
    expect(sent).toHaveLength(sends);
  });

  it.each<{ method: string; headers: Record<string, string>; sends: number }>([
    { method: 'GET', headers: {}, sends: 3 },
    { method: 'DELETE', headers: {}, sends: 1 },
    // A vendor that honours no idempotency header: no header a caller adds makes a POST repeat.
    { method: 'POST', headers: { 'Idempotency-Key': 'job-1' }, sends: 1 },
  ])('methods [GET] and idempotencyHeader false: $method $headers is sent $sends time(s)', async ({ method, headers, sends }) => {
    const { retryingFetch, sent } = setup([status(503)], { maxAttempts: 3, methods: ['get'], idempotencyHeader: false });

    await retryingFetch(URL_, { method, headers });

    expect(sent).toHaveLength(sends);
  });

  it('honours a custom idempotency header', async () => {
    const { retryingFetch, sent } = setup([status(429), status(201)], { idempotencyHeader: 'X-Request-Key' });

    const response = await retryingFetch(URL_, { method: 'POST', headers: { 'X-Request-Key': 'k' }, body: '{}' });

    expect(response.status).toBe(201);
    expect(sent).toHaveLength(2);
  });

  it('sends the same body and idempotency key on every attempt of a POST', async () => {
    const { retryingFetch, sent } = setup([status(503), status(429), status(201)]);

    const response = await retryingFetch(URL_, {
      method: 'POST',
      headers: { 'Idempotency-Key': 'job-42', 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'a red fox' }),
    });

    expect(response.status).toBe(201);
    expect(sent).toEqual(
      Array.from({ length: 3 }, () => ({
        method: 'POST',
        url: URL_,
        body: '{"prompt":"a red fox"}',
        idempotencyKey: 'job-42',
      })),
    );
  });

  it('accepts a Request as input, like fetch', async () => {
    const { retryingFetch, sent } = setup([status(503), status(200)]);

    const response = await retryingFetch(new Request(URL_, { method: 'PUT', body: 'payload' }));

    expect(response.status).toBe(200);
    expect(sent.map((request) => request.body)).toEqual(['payload', 'payload']);
  });
});

describe('createRetryingFetch: which outcomes are retried', () => {
  it.each([200, 201, 400, 401, 402, 403, 404, 409, 422, 500, 502])('returns a %i at once', async (code) => {
    const { retryingFetch, sent } = setup([status(code), status(200)]);

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(code);
    expect(sent).toHaveLength(1);
  });

  it.each([429, 503])('retries a %i until it succeeds', async (code) => {
    const { retryingFetch, sent } = setup([status(code), status(code), status(200)]);

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(200);
    expect(sent).toHaveLength(3);
  });

  it('retries only the statuses in retryOnStatus', async () => {
    const { retryingFetch, sent } = setup([status(502), status(429), status(200)], { retryOnStatus: [502] });

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(429);
    expect(sent).toHaveLength(2);
  });

  it('returns the final failing response as-is, body intact, after maxAttempts', async () => {
    const { retryingFetch, sent } = setup([status(503, {}, 'busy')]);

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(503);
    await expect(response.text()).resolves.toBe('busy');
    expect(sent).toHaveLength(4);
  });

  it('retries network errors and reports them', async () => {
    const networkError = new TypeError('fetch failed');
    const { retryingFetch, sent, retries } = setup([networkError, status(200)]);

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(retries).toMatchObject([{ attempt: 1, reason: 'network', error: networkError }]);
  });

  it('throws the last network error once attempts run out', async () => {
    const errors = [new TypeError('first'), new TypeError('second')];
    const { retryingFetch, sent } = setup(errors, { maxAttempts: 2 });

    await expect(retryingFetch(URL_)).rejects.toBe(errors[1]);
    expect(sent).toHaveLength(2);
  });

  it('sends a POST without idempotency key once even on a network error', async () => {
    const networkError = new TypeError('fetch failed');
    const { retryingFetch, sent } = setup([networkError, status(201)]);

    await expect(retryingFetch(URL_, { method: 'POST', body: '{}' })).rejects.toBe(networkError);
    expect(sent).toHaveLength(1);
  });

  it.each(['AbortError', 'TimeoutError'])('does not retry an %s', async (name) => {
    const abort = new DOMException('stopped', name);
    const { retryingFetch, sent } = setup([abort, status(200)]);

    await expect(retryingFetch(URL_)).rejects.toBe(abort);
    expect(sent).toHaveLength(1);
  });

  it('cancels the body of each response it retries, not of the one it returns', async () => {
    const cancelled: number[] = [];
    const withBody = (code: number): Response =>
      new Response(
        new ReadableStream({
          pull: (controller) => controller.enqueue(new TextEncoder().encode('x')),
          cancel: () => {
            cancelled.push(code);
          },
        }),
        { status: code },
      );
    const replies = [withBody(503), withBody(429), withBody(200)];
    const { retryingFetch } = setup(replies.map((response) => () => response));

    const response = await retryingFetch(URL_);

    expect(response).toBe(replies[2]);
    expect(cancelled).toEqual([503, 429]);
  });
});

describe('createRetryingFetch: how long it waits', () => {
  it.each([
    { options: {}, delays: [250, 500, 1_000] },
    { options: { baseDelayMs: 100 }, delays: [50, 100, 200] },
    { options: { maxDelayMs: 600 }, delays: [250, 300, 300] },
    { options: { random: () => 0 }, delays: [0, 0, 0] },
  ])('backs off with full jitter: $options → $delays', async ({ options, delays: expected }) => {
    const { retryingFetch, delays } = setup([status(503)], options);

    await retryingFetch(URL_);

    expect(delays).toEqual(expected);
  });

  it.each([
    { retryAfter: '0', delay: 0 },
    { retryAfter: '3', delay: 3_000 },
    { retryAfter: '120', delay: 120_000 },
    { retryAfter: 'Thu, 01 Jan 2099 00:00:07 GMT', delay: 7_000 },
    { retryAfter: 'Wed, 31 Dec 2098 00:00:00 GMT', delay: 0 },
    { retryAfter: 'whenever', delay: 250 },
  ])('waits Retry-After $retryAfter as $delay ms', async ({ retryAfter, delay }) => {
    const { retryingFetch, delays } = setup([status(429, { 'Retry-After': retryAfter }), status(200)], {
      now: () => Date.parse('2099-01-01T00:00:00Z'),
    });

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(200);
    expect(delays).toEqual([delay]);
  });

  it('returns the response instead of waiting when Retry-After exceeds maxRetryAfterMs', async () => {
    const { retryingFetch, sent, delays } = setup([status(429, { 'Retry-After': '121' }), status(200)]);

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('121');
    expect(sent).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('respects a raised maxRetryAfterMs', async () => {
    const { retryingFetch, delays } = setup([status(429, { 'Retry-After': '300' }), status(200)], {
      maxRetryAfterMs: 300_000,
    });

    await retryingFetch(URL_);

    expect(delays).toEqual([300_000]);
  });

  it('tells onRetry about each retry before waiting', async () => {
    const { retryingFetch, retries } = setup([status(503), status(429, { 'Retry-After': '2' }), status(200)]);

    await retryingFetch(URL_, { method: 'DELETE' });

    expect(retries.map(({ request, ...rest }) => ({ ...rest, method: request.method }))).toEqual([
      { attempt: 1, delayMs: 250, reason: 'status', status: 503, method: 'DELETE' },
      { attempt: 2, delayMs: 2_000, reason: 'status', status: 429, method: 'DELETE' },
    ]);
  });

  it('stops waiting and rejects with the reason when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const { fetch: fakeFetch, sent } = scriptedFetch([status(503)]);
    // The real sleep, with a wait long enough that only the abort can end it.
    const retryingFetch = createRetryingFetch(fakeFetch, {
      baseDelayMs: 60_000,
      random: () => 1,
      onRetry: () => setTimeout(() => controller.abort(reason), 5),
    });
    const startedAt = performance.now();

    await expect(retryingFetch(URL_, { signal: controller.signal })).rejects.toBe(reason);
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    expect(sent).toHaveLength(1);
  });
});

describe('createRetryingFetch: options', () => {
  it.each([400, 401, 402, 403, 409])('refuses to retry %i', (code) => {
    expect(() => createRetryingFetch(fetch, { retryOnStatus: [429, code] })).toThrow(TypeError);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxAttempts %s', (maxAttempts) => {
    expect(() => createRetryingFetch(fetch, { maxAttempts })).toThrow(TypeError);
  });

  it('sends once when maxAttempts is 1', async () => {
    const { retryingFetch, sent } = setup([status(503), status(200)], { maxAttempts: 1 });

    const response = await retryingFetch(URL_);

    expect(response.status).toBe(503);
    expect(sent).toHaveLength(1);
  });
});

describe('createRetryingFetch: shouldRetry', () => {
  // A POST that only reads (retried like a GET), and a POST retried only after a 429, which proves it did nothing.
  const policy: RetryingFetchOptions['shouldRetry'] = ({ request, response, transient, repeatable }) => {
    if (request.url.endsWith('/check')) return transient;
    if (request.url.endsWith('/run')) return response?.status === 429;
    return transient && repeatable;
  };
  const networkError = new TypeError('fetch failed');

  it.each<{ name: string; url: string; method: string; replies: Reply[]; sends: number; outcome: number | Error }>([
    { name: 'read-only POST: 503 → 200', url: '/check', method: 'POST', replies: [status(503), status(200)], sends: 2, outcome: 200 },
    { name: 'read-only POST: network error → 200', url: '/check', method: 'POST', replies: [networkError, status(200)], sends: 2, outcome: 200 },
    { name: 'read-only POST: 500 is not transient', url: '/check', method: 'POST', replies: [status(500), status(200)], sends: 1, outcome: 500 },
    { name: 'run POST: 429 → 200', url: '/run', method: 'POST', replies: [status(429), status(200)], sends: 2, outcome: 200 },
    { name: 'run POST: 503 may have started a run', url: '/run', method: 'POST', replies: [status(503), status(200)], sends: 1, outcome: 503 },
    { name: 'run POST: network error may have started a run', url: '/run', method: 'POST', replies: [networkError, status(200)], sends: 1, outcome: networkError },
    { name: 'other POST: the default rule', url: '/other', method: 'POST', replies: [status(503), status(200)], sends: 1, outcome: 503 },
    { name: 'GET: the default rule', url: '/other', method: 'GET', replies: [status(503), status(200)], sends: 2, outcome: 200 },
    { name: 'never-retried 403 even when the hook says yes', url: '/check', method: 'POST', replies: [status(403), status(200)], sends: 1, outcome: 403 },
    { name: 'a 2xx is never offered to the hook', url: '/check', method: 'POST', replies: [status(202), status(200)], sends: 1, outcome: 202 },
  ])('$name', async ({ url, method, replies, sends, outcome }) => {
    const retryAll: RetryingFetchOptions['shouldRetry'] = (decision) =>
      decision.response?.status === 403 || decision.response?.status === 202 ? true : policy(decision);
    const { retryingFetch, sent } = setup(replies, { shouldRetry: retryAll });

    const call = retryingFetch(`https://api.example.test${url}`, { method, body: method === 'POST' ? 'request_id=1' : null });

    if (outcome instanceof Error) await expect(call).rejects.toBe(outcome);
    else expect((await call).status).toBe(outcome);
    expect(sent).toHaveLength(sends);
    expect(sent.every((request) => request.body === (method === 'POST' ? 'request_id=1' : ''))).toBe(true);
  });

  it('is told what failed, whether it is transient and whether the request is repeatable', async () => {
    const decisions: Array<Omit<RetryDecision, 'request'> & { method: string }> = [];
    const { retryingFetch } = setup([status(503), networkError, status(500), status(200)], {
      shouldRetry: ({ request, ...decision }) => {
        decisions.push({ ...decision, method: request.method });
        return true;
      },
    });

    const response = await retryingFetch(URL_, { method: 'POST', body: '{}' });

    expect(response.status).toBe(200);
    expect(decisions.map(({ response: answer, ...rest }) => ({ ...rest, status: answer?.status }))).toEqual([
      { attempt: 1, transient: true, repeatable: false, method: 'POST', status: 503 },
      { attempt: 2, transient: true, repeatable: false, method: 'POST', status: undefined, error: networkError },
      { attempt: 3, transient: false, repeatable: false, method: 'POST', status: 500 },
    ]);
  });

  it('is not asked about the last attempt', async () => {
    let asked = 0;
    const { retryingFetch, sent } = setup([status(503)], {
      maxAttempts: 2,
      shouldRetry: () => {
        asked++;
        return true;
      },
    });

    expect((await retryingFetch(URL_)).status).toBe(503);
    expect(sent).toHaveLength(2);
    expect(asked).toBe(1);
  });

  it('without it, the default rule is unchanged: a POST without idempotency key is sent once', async () => {
    const { retryingFetch, sent } = setup([status(429), status(200)]);

    expect((await retryingFetch(URL_, { method: 'POST', body: '{}' })).status).toBe(429);
    expect(sent).toHaveLength(1);
  });
});

describe('createRetryingFetch: delayFromResponse', () => {
  const NOW = Date.parse('2099-01-01T00:00:00Z');
  // X-RateLimit-Reset (Unix seconds) when there is no Retry-After, as some APIs send on a 429.
  const untilReset = (response: Response, nowMs: number): number | undefined => {
    const reset = response.headers.get('x-ratelimit-reset');
    return reset === null ? undefined : Math.max(0, Number(reset) * 1000 - nowMs);
  };

  it.each<{ name: string; headers: Record<string, string>; options: RetryingFetchOptions; delays: number[]; sends: number }>([
    { name: 'the default reads Retry-After', headers: { 'Retry-After': '4' }, options: {}, delays: [4_000], sends: 2 },
    { name: 'the default ignores other headers', headers: { 'X-RateLimit-Reset': String(NOW / 1000 + 9) }, options: {}, delays: [250], sends: 2 },
    { name: 'a hook reads another header', headers: { 'X-RateLimit-Reset': String(NOW / 1000 + 9) }, options: { delayFromResponse: untilReset }, delays: [9_000], sends: 2 },
    { name: 'a reset in the past retries at once', headers: { 'X-RateLimit-Reset': String(NOW / 1000 - 60) }, options: { delayFromResponse: untilReset }, delays: [0], sends: 2 },
    { name: 'undefined falls back to backoff', headers: {}, options: { delayFromResponse: untilReset }, delays: [250], sends: 2 },
    {
      name: 'a delay above maxRetryAfterMs returns the response',
      headers: { 'X-RateLimit-Reset': String(NOW / 1000 + 3_600) },
      options: { delayFromResponse: untilReset },
      delays: [],
      sends: 1,
    },
    {
      name: 'a raised maxRetryAfterMs waits for it',
      headers: { 'X-RateLimit-Reset': String(NOW / 1000 + 3_600) },
      options: { delayFromResponse: untilReset, maxRetryAfterMs: 3_600_000 },
      delays: [3_600_000],
      sends: 2,
    },
  ])('$name', async ({ headers, options, delays: expected, sends }) => {
    const { retryingFetch, sent, delays } = setup([status(429, headers), status(200)], { now: () => NOW, ...options });

    await retryingFetch(URL_);

    expect(delays).toEqual(expected);
    expect(sent).toHaveLength(sends);
  });

  it('is handed the response and the current time', async () => {
    const seen: Array<[number, number]> = [];
    const { retryingFetch } = setup([status(503), status(200)], {
      now: () => NOW,
      delayFromResponse: (response, nowMs) => {
        seen.push([response.status, nowMs]);
        return 7;
      },
    });

    await retryingFetch(URL_);

    expect(seen).toEqual([[503, NOW]]);
  });
});
