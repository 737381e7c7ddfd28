import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Socket } from 'node:net';

import express from 'express';
import type { Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { ManualClock, SystemClock } from '../src/core/clock.js';
import { WebhookDispatcher, settleOnManualClock } from '../src/core/webhooks.js';
import type { WebhookDispatcherOptions } from '../src/core/webhooks.js';
import { listen } from './listen.js';

/** What a test receiver does with its n-th request. */
type Behaviour = number | 'hang' | 'redirect' | 'huge';

interface Hit {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Resolves when the receiver sees the connection close. */
  closed: Promise<void>;
}

/** A webhook receiver on 127.0.0.1:0 that answers its requests as scripted (the last behaviour repeats). */
async function receiver(...script: Behaviour[]) {
  const hits: Hit[] = [];
  const arrivals: Array<() => void> = [];
  let redirectedTo = 0;
  const app = express();
  app.post('/elsewhere', (_req, res) => {
    redirectedTo++;
    res.sendStatus(200);
  });
  app.post('/hook', express.raw({ type: () => true, limit: '10mb' }), (req, res) => {
    const closed = new Promise<void>((resolve) => res.on('close', resolve));
    hits.push({ headers: req.headers, body: req.body as Buffer, closed });
    for (const wake of arrivals.splice(0)) wake();
    answer(script[Math.min(hits.length, script.length) - 1] ?? 200, res);
  });
  const { url } = await listen(app);
  return {
    url: `${url}/hook`,
    origin: url,
    hits,
    redirects: () => redirectedTo,
    /** Resolves once `count` requests have arrived. */
    async arrived(count: number) {
      while (hits.length < count) await new Promise<void>((resolve) => arrivals.push(resolve));
    },
  };
}

function answer(behaviour: Behaviour, res: Response) {
  if (behaviour === 'hang') return;
  if (behaviour === 'redirect') return void res.redirect(307, '/elsewhere');
  if (behaviour === 'huge') {
    // Streams until the sender hangs up, bounded at 64 MiB in case it never does.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    res.status(200).type('text/plain');
    const pump = () => {
      while (!res.destroyed && sent < 64 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    return pump();
  }
  res.status(behaviour).type('application/json').send(`{"answer":${behaviour}}`);
}

/** A port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<string> {
  const { url, server } = await listen(express());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  return url;
}

const dispatchers: WebhookDispatcher[] = [];
afterEach(async () => {
  for (const dispatcher of dispatchers.splice(0)) await dispatcher.close();
  vi.restoreAllMocks();
});

/** A dispatcher on a manual clock; `random: () => 0` makes backoff the plain doubling unless a test says otherwise. */
function setup(options: WebhookDispatcherOptions = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const dispatcher = new WebhookDispatcher(clock, { random: () => 0, ...options });
  dispatchers.push(dispatcher);
  return { clock, dispatcher };
}

const payload = { id: 'task_1', status: 'succeeded', data: [{ url: 'https://img.test/1.png' }] };

describe('WebhookDispatcher: delivery and retries', () => {
  it('delivers on the first try: a JSON POST of the recorded bytes, answer recorded, no clock wait left', async () => {
    const hook = await receiver(200);
    const { clock, dispatcher } = setup();
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    expect(delivery).toMatchObject({ id: expect.stringMatching(/^wh_\d+$/), status: 'pending', createdAt: clock.now() });

    expect(await dispatcher.waitFor(delivery.id)).toBe(delivery);
    expect(delivery).toMatchObject({ status: 'delivered', settledAt: clock.now() });
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        number: 1,
        startedAt: clock.now(),
        outcome: 'delivered',
        httpStatus: 200,
        address: '127.0.0.1',
        responseBody: '{"answer":200}',
        responseTruncated: false,
        elapsedMs: expect.any(Number),
      }),
    ]);
    expect(hook.hits).toHaveLength(1);
    expect(hook.hits[0]?.headers['content-type']).toBe('application/json');
    expect(hook.hits[0]?.body.equals(delivery.rawBody)).toBe(true);
    expect(JSON.parse(delivery.rawBody.toString('utf8'))).toEqual(payload);
    // The attempt's timeout was withdrawn from the clock.
    expect(clock.pendingSleeps).toBe(0);
  });

  it('retries a 500 and a 503 after the jittered, doubling backoff, recording each attempt', async () => {
    const hook = await receiver(500, 503, 204);
    // jitter 0.5 and random 0.5 take a quarter off: 1000 -> 750, 2000 -> 1500.
    const { clock, dispatcher } = setup({ baseDelayMs: 1000, jitter: 0.5, random: () => 0.5 });
    const start = clock.now();
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });

    await dispatcher.quiet();
    expect(delivery).toMatchObject({ status: 'pending', nextAttemptAt: start + 750 });
    expect(dispatcher.nextWakeAt()).toBe(start + 750);
    clock.advance(749);
    await dispatcher.quiet();
    expect(hook.hits).toHaveLength(1);
    clock.advance(1);
    await hook.arrived(2);
    await dispatcher.quiet();
    expect(delivery.nextAttemptAt).toBe(start + 750 + 1500);
    clock.advance(1500);
    await dispatcher.waitFor(delivery.id);

    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts.map(({ number, startedAt, outcome, httpStatus, error }) => ({ number, at: startedAt - start, outcome, httpStatus, error }))).toEqual([
      { number: 1, at: 0, outcome: 'http-error', httpStatus: 500, error: 'answered 500' },
      { number: 2, at: 750, outcome: 'http-error', httpStatus: 503, error: 'answered 503' },
      { number: 3, at: 2250, outcome: 'delivered', httpStatus: 204, error: undefined },
    ]);
    expect(hook.hits.map((hit) => hit.body.equals(delivery.rawBody))).toEqual([true, true, true]);
  });

  it('gives up after maxAttempts, with the backoff doubling up to maxDelayMs', async () => {
    const hook = await receiver(500);
    const { clock, dispatcher } = setup({ maxAttempts: 6, baseDelayMs: 1000, maxDelayMs: 3000 });
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await settleOnManualClock(dispatcher, clock);

    expect(delivery).toMatchObject({ status: 'failed', reason: 'no 2xx answer after 6 attempts; last: answered 500' });
    const starts = delivery.attempts.map((attempt) => attempt.startedAt);
    expect(starts.slice(1).map((at, index) => at - (starts[index] as number))).toEqual([1000, 2000, 3000, 3000, 3000]);
    expect(hook.hits).toHaveLength(6);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('times an attempt out on the mock clock, closes its connection and retries', async () => {
    const hook = await receiver('hang', 200);
    const { clock, dispatcher } = setup({ attemptTimeoutMs: 5000, baseDelayMs: 100 });
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await hook.arrived(1);

    clock.advance(4999);
    // Still waiting for the answer: no retry is scheduled yet.
    expect(delivery.attempts[0]?.outcome).toBeUndefined();
    expect(delivery.nextAttemptAt).toBeUndefined();
    clock.advance(1);
    await dispatcher.quiet();
    await hook.hits[0]?.closed;
    expect(delivery.attempts[0]).toMatchObject({ outcome: 'timeout', error: 'no complete answer within 5000 ms (attemptTimeoutMs)' });
    expect(delivery.nextAttemptAt).toBe(clock.now() + 100);

    await settleOnManualClock(dispatcher, clock);
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'delivered']);
  });

  it('retries a refused connection and fails with its error', async () => {
    const origin = await closedPort();
    const { clock, dispatcher } = setup({ maxAttempts: 2 });
    const delivery = dispatcher.deliver({ api: 'lumen', url: `${origin}/hook`, payload });
    await settleOnManualClock(dispatcher, clock);

    expect(delivery.status).toBe('failed');
    expect(delivery.reason).toMatch(/^no 2xx answer after 2 attempts; last: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['network-error', 'network-error']);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const hook = await receiver('redirect');
    const { clock, dispatcher } = setup({ maxAttempts: 2 });
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await settleOnManualClock(dispatcher, clock);

    expect(delivery.status).toBe('failed');
    expect(delivery.attempts[0]).toMatchObject({
      outcome: 'redirect',
      httpStatus: 307,
      error: 'answered 307 (redirect to /elsewhere); redirects are not followed',
    });
    expect(hook.hits).toHaveLength(2);
    expect(hook.redirects()).toBe(0);
  });

  it('reads at most maxResponseBytes of an answer, then hangs up', async () => {
    const hook = await receiver('huge');
    const { dispatcher } = setup({ maxResponseBytes: 1000 });
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await dispatcher.waitFor(delivery.id);
    await hook.hits[0]?.closed;

    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts[0]).toMatchObject({ httpStatus: 200, responseTruncated: true, responseBody: 'x'.repeat(1000) });
  });

  it('sends the exact bytes it gave the signer, and the receiver verifies the HMAC on every attempt', async () => {
    const hook = await receiver(500, 200);
    const { clock, dispatcher } = setup({ baseDelayMs: 2000 });
    const secret = 'your-secret';
    const signed: Buffer[] = [];
    const sign = (rawBody: Buffer, sentAt: number) => {
      signed.push(Buffer.from(rawBody));
      return {
        'X-Lumen-Signature': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
        'X-Lumen-Timestamp': String(Math.floor(sentAt / 1000)),
      };
    };
    // Non-ASCII text and a key order a re-serialization could change.
    const unicode = { status: 'succeeded', id: 'é-雪山-🐈', data: [{ url: 'https://img.test/a b.png' }], z: 1, a: 2 };
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload: unicode, headers: sign });
    await settleOnManualClock(dispatcher, clock);

    expect(delivery.status).toBe('delivered');
    const start = Math.floor(delivery.createdAt / 1000);
    expect(hook.hits.map((hit) => hit.headers['x-lumen-timestamp'])).toEqual([String(start), String(start + 2)]);
    for (const [index, hit] of hook.hits.entries()) {
      const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(hit.body).digest('hex')}`);
      const received = Buffer.from(String(hit.headers['x-lumen-signature']));
      expect(received.length === expected.length && timingSafeEqual(received, expected), `attempt ${index + 1}`).toBe(true);
      expect(hit.body.equals(signed[index] as Buffer)).toBe(true);
      expect(hit.headers['content-length']).toBe(String(hit.body.length));
    }
    expect(delivery.attempts[1]?.requestHeaders).toMatchObject({ 'X-Lumen-Timestamp': String(start + 2), 'Content-Type': 'application/json' });
  });

  it('fails a delivery whose headers callback tries to set the framing headers', async () => {
    const hook = await receiver(200);
    const { dispatcher } = setup();
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload, headers: () => ({ 'content-type': 'text/plain' }) });
    await dispatcher.waitFor(delivery.id);
    expect(delivery).toMatchObject({ status: 'failed', reason: 'the mock could not send it: the headers callback may not set content-type' });
    expect(hook.hits).toHaveLength(0);
  });

  it('connects to the addresses it resolved and checked, keeping the name in the Host header', async () => {
    const hook = await receiver(200);
    // The receiver listens on 127.0.0.1 only: ::1 refuses and the connection falls back to the next address.
    const resolver = vi.fn(async () => [
      { address: '::1', family: 6 as const },
      { address: '127.0.0.1', family: 4 as const },
    ]);
    const { dispatcher } = setup({ resolver });
    const port = new URL(hook.url).port;
    const delivery = dispatcher.deliver({ api: 'lumen', url: `http://receiver.test:${port}/hook`, payload });
    await dispatcher.waitFor(delivery.id);

    expect(delivery).toMatchObject({ status: 'delivered', attempts: [{ address: '127.0.0.1' }] });
    expect(hook.hits[0]?.headers.host).toBe(`receiver.test:${port}`);
    expect(resolver.mock.calls).toEqual([['receiver.test']]);
  });

  it('speaks TLS to https targets, verifying the certificate against the name, not the address', async () => {
    // A self-signed certificate for receiver.test only, valid until 2126; made for this test.
    const cert = readFileSync(new URL('./fixtures/receiver-test.cert.pem', import.meta.url));
    const key = readFileSync(new URL('./fixtures/receiver-test.key.pem', import.meta.url));
    const app = express();
    app.post('/hook', (req, res) => void res.status(200).send(String(req.headers.host)));
    const { url } = await listen(app, createHttpsServer({ cert, key }, app));
    const target = `https://receiver.test:${new URL(url).port}/hook`;
    const resolver = async () => [{ address: '127.0.0.1', family: 4 as const }];

    const trusted = setup({ resolver, ca: cert }).dispatcher.deliver({ api: 'lumen', url: target, payload });
    const untrusted = setup({ resolver, maxAttempts: 1 }).dispatcher.deliver({ api: 'lumen', url: target, payload });
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.settled()));

    expect(trusted).toMatchObject({ status: 'delivered', attempts: [{ responseBody: `receiver.test:${new URL(url).port}` }] });
    expect(untrusted).toMatchObject({ status: 'failed', attempts: [{ outcome: 'network-error', error: expect.stringMatching(/self[- ]signed certificate/) }] });
  });

  it('runs in real time on the SystemClock: timeout, retry and success without a manual step', async () => {
    const hook = await receiver('hang', 500, 200);
    // A timeout long enough for the answering attempts to answer within it on a loaded machine (at
    // 100 ms the 500 sometimes timed out too while the whole suite ran).
    const dispatcher = new WebhookDispatcher(new SystemClock(), { attemptTimeoutMs: 1000, baseDelayMs: 20, random: () => 0 });
    dispatchers.push(dispatcher);
    const began = Date.now();
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await dispatcher.settled();

    expect(delivery.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'http-error', 'delivered']);
    expect(delivery.status).toBe('delivered');
    // 1000 ms timeout + 20 ms + 40 ms of backoff, at least.
    expect(Date.now() - began).toBeGreaterThanOrEqual(1058);
    expect((delivery.attempts[1]?.startedAt ?? 0) - (delivery.attempts[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(1019);
  });

  it('checks the address again on each attempt: a name that rebinds to a forbidden address is refused', async () => {
    const hook = await receiver(500);
    const answers = ['127.0.0.1', '169.254.169.254'];
    const { clock, dispatcher } = setup({ resolver: async () => [{ address: answers.shift() ?? '169.254.169.254', family: 4 }] });
    const delivery = dispatcher.deliver({ api: 'lumen', url: `http://rebind.test:${new URL(hook.url).port}/hook`, payload });
    await settleOnManualClock(dispatcher, clock);

    expect(delivery.status).toBe('refused');
    expect(delivery.reason).toMatch(/^rebind\.test resolves to 169\.254\.169\.254 is link-local/);
    expect(delivery.attempts.map((attempt) => attempt.httpStatus)).toEqual([500]);
    expect(hook.hits).toHaveLength(1);
  });
});

describe('WebhookDispatcher: refused targets are recorded, never connected', () => {
  const resolver = async (host: string) =>
    ({
      'metadata.test': [{ address: '169.254.169.254', family: 4 as const }],
      'public.test': [{ address: '93.184.216.34', family: 4 as const }],
      'mixed.test': [
        { address: '127.0.0.1', family: 4 as const },
        { address: 'fe80::1', family: 6 as const },
      ],
    })[host] ?? [];

  it.each([
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/', /^169\.254\.169\.254 is link-local, where cloud metadata services answer/],
    ['a link-local IPv4 address', 'http://169.254.10.1:8080/hook', /^169\.254\.10\.1 is link-local/],
    ['a link-local IPv6 address', 'http://[fe80::1]/hook', /^fe80::1 is link-local/],
    ['the unspecified IPv4 address', 'http://0.0.0.0:3000/hook', /^0\.0\.0\.0 is unspecified/],
    ['the unspecified IPv6 address', 'http://[::]:3000/hook', /^:: is unspecified/],
    ['a public address, by default', 'http://8.8.8.8/hook', /^8\.8\.8\.8 is outside the allowed ranges/],
    ['a public IPv6 address, by default', 'http://[2001:4860:4860::8888]/hook', /is outside the allowed ranges/],
    ['an ftp: URL', 'ftp://127.0.0.1/hook', /^ftp: URLs are not delivered to/],
    ['a relative URL', '/hook', /is not an absolute URL/],
    ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/', /^::ffff:a9fe:a9fe is link-local/],
    ['IPv4-mapped public', 'http://[::ffff:8.8.8.8]/', /^::ffff:808:808 is outside the allowed ranges/],
    ['metadata in decimal', 'http://2852039166/', /^169\.254\.169\.254 is link-local/],
    ['a name resolving to metadata', 'http://metadata.test/hook', /^metadata\.test resolves to 169\.254\.169\.254 is link-local/],
    ['a name resolving to a public address', 'http://public.test/hook', /^public\.test resolves to 93\.184\.216\.34 is outside/],
    ['a name with one forbidden address among allowed ones', 'http://mixed.test/hook', /^mixed\.test resolves to fe80::1 is link-local/],
  ])('%s', async (_name, url, reason) => {
    const connect = vi.spyOn(Socket.prototype, 'connect');
    const { dispatcher } = setup({ resolver });
    const delivery = dispatcher.deliver({ api: 'lumen', url, payload });
    expect(await dispatcher.waitFor(delivery.id)).toMatchObject({ status: 'refused', reason: expect.stringMatching(reason), attempts: [] });
    expect(connect).not.toHaveBeenCalled();
  });

  it('delivers to an IPv4-mapped loopback address, which is loopback', async () => {
    const hook = await receiver(200);
    const { dispatcher } = setup();
    const delivery = dispatcher.deliver({ api: 'lumen', url: `http://[::ffff:127.0.0.1]:${new URL(hook.url).port}/hook`, payload });
    expect(await dispatcher.waitFor(delivery.id)).toMatchObject({ status: 'delivered' });
  });

  it.each([
    [['10.0.0.0/8'], 'refused', /^127\.0\.0\.1 is outside the allowed ranges \(10\.0\.0\.0\/8\)$/],
    [['127.0.0.1/32'], 'delivered', undefined],
    [['0.0.0.0/0', '::/0'], 'delivered', undefined],
  ])('allowedRanges %j: a loopback receiver is %s', async (allowedRanges, status, reason) => {
    const hook = await receiver(200);
    const { dispatcher } = setup({ allowedRanges });
    const delivery = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    await dispatcher.waitFor(delivery.id);
    expect(delivery.status).toBe(status);
    expect(delivery.reason).toEqual(reason === undefined ? undefined : expect.stringMatching(reason));
    expect(hook.hits).toHaveLength(status === 'delivered' ? 1 : 0);
  });

  it('refuses the metadata address even when every range is allowed, before deliver() returns', () => {
    const { dispatcher } = setup({ allowedRanges: ['0.0.0.0/0', '::/0'] });
    const delivery = dispatcher.deliver({ api: 'lumen', url: 'http://169.254.169.254/', payload });
    expect(delivery).toMatchObject({ status: 'refused', reason: expect.stringMatching(/link-local/) });
  });
});

describe('WebhookDispatcher: payloads that break the spec', () => {
  it('withholds them, records the violation and reports it', async () => {
    const hook = await receiver(200);
    const onViolation = vi.fn();
    const { dispatcher } = setup({ onViolation });
    const validate = (body: unknown) => ((body as { status?: string }).status === 'succeeded' ? undefined : '/body/status: must be equal to one of the allowed values');
    const bad = dispatcher.deliver({ api: 'lumen', url: hook.url, payload: { status: 'done' }, validate });
    const good = dispatcher.deliver({ api: 'lumen', url: hook.url, payload, validate });
    await dispatcher.settled();

    expect(bad).toMatchObject({
      status: 'refused',
      violation: '/body/status: must be equal to one of the allowed values',
      reason: "payload violates the spec's callback schema, so it was not sent: /body/status: must be equal to one of the allowed values",
      attempts: [],
    });
    expect(onViolation.mock.calls).toEqual([[{ api: 'lumen', deliveryId: bad.id, url: hook.url, message: bad.violation }]]);
    expect(good.status).toBe('delivered');
    expect(hook.hits.map((hit) => JSON.parse(hit.body.toString('utf8')))).toEqual([payload]);
  });

  it.each([
    ['undefined', undefined],
    ['a function', () => 1],
  ])('throws at once for a payload with no JSON form (%s)', (_name, value) => {
    const { dispatcher } = setup();
    expect(() => dispatcher.deliver({ api: 'lumen', url: 'http://127.0.0.1:9/', payload: value })).toThrow(TypeError);
    expect(dispatcher.list()).toEqual([]);
  });
});

describe('WebhookDispatcher: visibility, waiting, reset and memory', () => {
  it('lists by api, status and url, and finds by id', async () => {
    const hook = await receiver(200);
    const { dispatcher } = setup();
    const a = dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    const b = dispatcher.deliver({ api: 'useapi-luma', url: 'http://8.8.8.8/', payload });
    const c = dispatcher.deliver({ api: 'useapi-luma', url: hook.url, payload });
    await dispatcher.settled();

    expect(dispatcher.list().map((d) => d.id)).toEqual([a.id, b.id, c.id]);
    expect(dispatcher.list({ api: 'useapi-luma' }).map((d) => d.id)).toEqual([b.id, c.id]);
    expect(dispatcher.list({ status: 'delivered' }).map((d) => d.id)).toEqual([a.id, c.id]);
    expect(dispatcher.list({ api: 'useapi-luma', status: 'refused', url: 'http://8.8.8.8/' }).map((d) => d.id)).toEqual([b.id]);
    expect(dispatcher.get(c.id)).toBe(c);
    expect(dispatcher.get('wh_unknown')).toBeUndefined();
  });

  it('waitFor resolves for a delivery made after the call, and stops on an abort', async () => {
    const hook = await receiver(200);
    const { dispatcher } = setup();
    const later = dispatcher.waitFor((delivery) => (delivery.payload as { id?: string }).id === 'task_2');
    dispatcher.deliver({ api: 'lumen', url: hook.url, payload });
    dispatcher.deliver({ api: 'lumen', url: hook.url, payload: { ...payload, id: 'task_2' } });
    expect(await later).toMatchObject({ status: 'delivered', payload: { id: 'task_2' } });

    const abort = new AbortController();
    const never = dispatcher.waitFor('wh_does_not_exist', { signal: abort.signal });
    abort.abort(new Error('gave up'));
    await expect(never).rejects.toThrow('gave up');
  });

  it('reset cancels scheduled retries and in-flight attempts, and forgets everything', async () => {
    const failing = await receiver(500);
    const hanging = await receiver('hang');
    const { clock, dispatcher } = setup({ attemptTimeoutMs: 60_000 });
    const retrying = dispatcher.deliver({ api: 'lumen', url: failing.url, payload });
    dispatcher.deliver({ api: 'lumen', url: hanging.url, payload });
    await failing.arrived(1);
    await hanging.arrived(1);
    const waiting = dispatcher.waitFor(retrying.id);
    // A retry wait, plus the hanging attempt's timeout.
    await vi.waitFor(() => expect(clock.pendingSleeps).toBe(2));

    dispatcher.reset();
    expect(clock.pendingSleeps).toBe(0);
    await expect(waiting).rejects.toThrow('webhook deliveries were reset');
    await hanging.hits[0]?.closed;
    expect(dispatcher.list()).toEqual([]);
    await dispatcher.settled();
    clock.advance(24 * 3600_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([failing.hits.length, hanging.hits.length]).toEqual([1, 1]);
    expect(retrying.status).toBe('pending');
  });

  it('close refuses new deliveries', async () => {
    const { dispatcher } = setup();
    await dispatcher.close();
    expect(() => dispatcher.deliver({ api: 'lumen', url: 'http://127.0.0.1:9/', payload })).toThrow('the webhook dispatcher is closed');
  });

  it('keeps at most maxKept settled deliveries, for at most maxAgeMs, but never drops a pending one', async () => {
    const hanging = await receiver('hang');
    const { clock, dispatcher } = setup({ maxKept: 3, maxAgeMs: 60_000, attemptTimeoutMs: 3600_000 });
    const pending = dispatcher.deliver({ api: 'lumen', url: hanging.url, payload });
    const refused = Array.from({ length: 5 }, () => dispatcher.deliver({ api: 'lumen', url: 'http://8.8.8.8/', payload }));
    expect(dispatcher.list().map((d) => d.id)).toEqual([pending.id, ...refused.slice(2).map((d) => d.id)]);
    expect(dispatcher.get(refused[0]?.id as string)).toBeUndefined();

    clock.advance(60_000);
    expect(dispatcher.list()).toHaveLength(4);
    clock.advance(1);
    expect(dispatcher.list().map((d) => d.id)).toEqual([pending.id]);
  });

  it('refuses deliveries beyond maxPending', async () => {
    const hanging = await receiver('hang');
    const { dispatcher } = setup({ maxPending: 2 });
    dispatcher.deliver({ api: 'lumen', url: hanging.url, payload });
    dispatcher.deliver({ api: 'lumen', url: hanging.url, payload });
    const third = dispatcher.deliver({ api: 'lumen', url: hanging.url, payload });
    expect(third).toMatchObject({ status: 'refused', reason: '2 deliveries are already pending (maxPending)' });
  });

  it.each([
    [{ maxAttempts: 0 }, /maxAttempts must be an integer from 1 to 20, got 0/],
    [{ maxAttempts: 2.5 }, /maxAttempts must be an integer/],
    [{ baseDelayMs: -1 }, /baseDelayMs must be a number from 0/],
    [{ baseDelayMs: 5000, maxDelayMs: 1000 }, /maxDelayMs must be a number from 5000/],
    [{ jitter: 1.5 }, /jitter must be a number from 0 to 1/],
    [{ attemptTimeoutMs: 0 }, /attemptTimeoutMs/],
    [{ maxResponseBytes: Number.NaN }, /maxResponseBytes/],
    [{ maxPending: 0 }, /maxPending/],
    [{ allowedRanges: ['10.0.0.0/40'] }, /is not a CIDR range/],
  ])('refuses the options %j', (options, message) => {
    expect(() => new WebhookDispatcher(new ManualClock(), options)).toThrow(message);
  });
});
