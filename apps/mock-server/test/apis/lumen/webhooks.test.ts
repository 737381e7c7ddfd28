import { createHmac } from 'node:crypto';

import { verifyLumenWebhook } from '@imagegen/lumen';
import { describe, expect, it } from 'vitest';

import { CallbackSchemaCheck, loadConfig, loadSpec, settleOnManualClock } from '../../../src/index.js';
import type { WebhookDelivery } from '../../../src/index.js';
import { GENERATION, INPAINT, TIMING, hookReceiver, lumenError, startLumen } from './support.js';

const SECRET = 'your-secret';
const taskCompleted = new CallbackSchemaCheck(loadSpec('lumen')).validator('taskCompleted');
const withHook = (url: string, body: object = GENERATION) => ({ ...body, webhook_url: url, webhook_secret: SECRET });

describe('Lumen webhooks: every terminal task is POSTed to webhook_url, signed as documented', () => {
  it.each([
    { prefer: undefined, status: 'succeeded' },
    { prefer: 'job-status=failed, job-error-code=upstream_rate_limited', status: 'failed' },
    { prefer: 'job-status=cancelled', status: 'cancelled' },
  ])('$status: once, at settle time, the task as GET shows it, HMAC-SHA256 hex of the raw bytes', async ({ prefer, status }) => {
    const receiver = await hookReceiver(200);
    const h = await startLumen();
    const id = await h.submit(withHook(receiver.url), { headers: prefer ? { Prefer: prefer } : {} });
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.mock.webhooks.list({ api: 'lumen' }), 'nothing is sent before the task settles').toEqual([]);

    h.clock.advance(1);
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    expect(delivery).toMatchObject({ status: 'delivered', url: receiver.url });
    expect(receiver.hits).toHaveLength(1);
    const [hit] = receiver.hits;
    const task = await h.task(id);
    expect(task.status).toBe(status);
    expect(JSON.parse(hit!.body.toString('utf8'))).toEqual(task);
    expect(hit!.body.equals(delivery.rawBody)).toBe(true);
    expect(hit!.headers['content-type']).toBe('application/json');
    expect(hit!.headers['x-lumen-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(hit!.body).digest('hex')}`);
    expect(hit!.headers['x-lumen-timestamp']).toBe(String(Math.floor(h.clock.now() / 1000)));
    expect(taskCompleted(JSON.parse(hit!.body.toString('utf8')))).toBeUndefined();
    // The client's verifier accepts it at the mock's time.
    expect(verifyLumenWebhook(hit!.body, hit!.headers, SECRET, { now: () => h.clock.now() })).toEqual(task);
  });

  it('instant timing: the webhook follows the submission, image URLs on the origin the client used', async () => {
    const receiver = await hookReceiver(204);
    const h = await startLumen({ timing: 'instant' });
    const id = await h.submit(withHook(receiver.url, { ...INPAINT, n: 3 }), { path: '/v1/images/inpaint' });
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    expect(delivery.payload).toEqual({
      id,
      status: 'succeeded',
      created: expect.any(Number),
      data: [0, 1, 2].map((i) => ({ url: `${h.lumenBase}/images/${id}/${i}.png` })),
    });
    const image = await fetch((delivery.payload as { data: Array<{ url: string }> }).data[2]!.url);
    expect(image.status).toBe(200);
  });

  it('a task without webhook_url sends nothing', async () => {
    const h = await startLumen({ timing: 'instant' });
    await h.submit(GENERATION);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.mock.webhooks.list()).toEqual([]);
  });

  it('each delivery is listed over HTTP at /_mock/webhooks?api=lumen, body as sent', async () => {
    const receiver = await hookReceiver(200);
    const h = await startLumen({ timing: 'instant' });
    await h.submit(withHook(receiver.url));
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    const listed = (await (await fetch(`${h.running.url}/_mock/webhooks?api=lumen`)).json()) as { deliveries: Array<Record<string, unknown>> };
    expect(listed.deliveries).toEqual([expect.objectContaining({ id: delivery.id, api: 'lumen', status: 'delivered', body: delivery.rawBody.toString('utf8') })]);
  });
});

describe("retries and outbound safety are the dispatcher's, seen through Lumen", () => {
  it('a failing receiver is retried with backoff on the mock clock, each attempt signed afresh, until it answers 2xx', async () => {
    const receiver = await hookReceiver(500, 503, 200);
    const h = await startLumen({ webhooks: { baseDelayMs: 30_000, jitter: 0 } });
    await h.submit(withHook(receiver.url));
    const settledAt = h.clock.now() + TIMING.queuedMs + TIMING.runningMs;
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    // The task's settle notification runs a few microtasks after the clock moves.
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.mock.webhooks.list({ api: 'lumen' })).toHaveLength(1);
    await settleOnManualClock(h.mock.webhooks, h.clock);

    const [delivery] = h.mock.webhooks.list({ api: 'lumen' }) as [WebhookDelivery];
    expect(delivery.status).toBe('delivered');
    expect(delivery.attempts.map((a) => ({ at: a.startedAt - settledAt, status: a.httpStatus, outcome: a.outcome }))).toEqual([
      { at: 0, status: 500, outcome: 'http-error' },
      { at: 30_000, status: 503, outcome: 'http-error' },
      { at: 90_000, status: 200, outcome: 'delivered' },
    ]);
    // Same bytes every time; the timestamp is each attempt's own, the signature still the body's.
    expect(receiver.hits.map((hit) => hit.body.equals(delivery.rawBody))).toEqual([true, true, true]);
    expect(receiver.hits.map((hit) => Number(hit.headers['x-lumen-timestamp']) - Math.floor(settledAt / 1000))).toEqual([0, 30, 90]);
    for (const [i, hit] of receiver.hits.entries()) {
      expect(() => verifyLumenWebhook(hit.body, hit.headers, SECRET, { now: () => delivery.attempts[i]!.startedAt })).not.toThrow();
    }
  });

  it.each([
    { url: 'http://169.254.169.254/latest/meta-data/', reason: /169\.254\.169\.254 is link-local, where cloud metadata services answer/ },
    { url: 'http://[fe80::1]/callback', reason: /fe80::1 is link-local/ },
    { url: 'http://0.0.0.0:8080/callback', reason: /0\.0\.0\.0 is unspecified/ },
    { url: 'https://203.0.113.7/callback', reason: /203\.0\.113\.7 is outside the allowed ranges/ },
  ])('$url is refused and recorded, never connected; the task is unaffected', async ({ url, reason }) => {
    const h = await startLumen({ timing: 'instant' });
    const id = await h.submit(withHook(url));
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    expect(delivery).toMatchObject({ status: 'refused', url, attempts: [] });
    expect(delivery.reason).toMatch(reason);
    expect((await h.task(id)).status).toBe('succeeded');
  });

  it('a host name that resolves to a metadata address is refused after resolving, without connecting', async () => {
    const h = await startLumen({ timing: 'instant', webhooks: { resolver: async () => [{ address: '169.254.169.254', family: 4 }] } });
    await h.submit(withHook('http://metadata.internal/computeMetadata/v1/'));
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    expect(delivery).toMatchObject({ status: 'refused', attempts: [] });
    expect(delivery.reason).toMatch(/^metadata\.internal resolves to 169\.254\.169\.254 is link-local/);
  });
});

describe('webhook settings from the config file', () => {
  it('IMAGEGEN_MOCK_CONFIG_JSON webhooks.allowedRanges replaces the default ranges: loopback is then refused', async () => {
    const receiver = await hookReceiver(200);
    const config = loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ webhooks: { allowedRanges: ['10.0.0.0/8'], maxAttempts: 1 } }) });
    expect(config.webhooks).toEqual({ allowedRanges: ['10.0.0.0/8'], maxAttempts: 1 });
    const h = await startLumen({ ...config, timing: 'instant' });
    await h.submit(withHook(receiver.url));
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    expect(delivery.reason).toMatch(/127\.0\.0\.1 is outside the allowed ranges \(10\.0\.0\.0\/8\)/);
    expect(receiver.hits).toEqual([]);
  });

  it.each([
    { webhooks: { maxAttempts: 0 }, error: /webhooks\.maxAttempts must be an integer from 1 to 20, got 0/ },
    { webhooks: { allowedRanges: ['10.0.0.0/33'] }, error: /10\.0\.0\.0\/33/ },
  ])('an out-of-range setting stops start-up: $error', async ({ webhooks, error }) => {
    await expect(startLumen({ webhooks })).rejects.toThrow(error);
  });
});

describe('the submission itself', () => {
  it('webhook_url and webhook_secret are not echoed in the task', async () => {
    const h = await startLumen({ timing: 'instant', webhooks: { allowedRanges: [] } });
    const id = await h.submit(withHook('http://127.0.0.1:9/cb'));
    expect(JSON.stringify(await h.task(id))).not.toMatch(/webhook|your-secret/);
  });

  it('webhook_url without webhook_secret is the documented 400 webhook_secret_required, checked before credits', async () => {
    const h = await startLumen();
    const error = await lumenError(await h.lumen('/v1/images/generations', { key: 'sk-lumen-mock-no-credits', json: { ...GENERATION, webhook_url: 'https://your.app/callback' } }));
    expect(error).toMatchObject({ status: 400, code: 'webhook_secret_required' });
  });
});
