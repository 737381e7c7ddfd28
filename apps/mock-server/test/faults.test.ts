// Faults on demand, shared by every API through the Prefer header: latency on the mock clock, a
// connection reset before anything happens, and an answer lost after the operation took effect.
import { createRetryingFetch } from '@imagegen/client-kit';
import { createLumixAIClient } from '@imagegen/lumixai';
import { describe, expect, it } from 'vitest';

import { errorOf, startMock, validJob } from './harness.js';

/** A workspace that can pay for exactly `images` images of validJob's model. */
async function mockWithCredits(images: number) {
  const probe = await startMock();
  const { data } = (await (await probe.call('/v1/models')).json()) as { data: Array<{ slug: string; image_credit_micros_per_unit: number }> };
  const price = data.find((model) => model.slug === validJob.model)!.image_credit_micros_per_unit;
  return startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: price * images }] } } });
}

/** Whether a promise has settled by now, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 30));
  return done;
}

describe('Prefer: latency=<ms>', () => {
  it.each([
    { name: 'a public read', path: '/v1/models', key: null, status: 200 },
    { name: 'a job creation', path: '/v1/images/jobs', json: validJob, status: 202 },
    { name: 'an error answer (no key)', path: '/v1/images/jobs/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30', key: null, status: 401 },
  ])('holds $name for that long on the mock clock', async ({ path, key, json, status }) => {
    const h = await startMock();
    const answer = h.call(path, { key, json, headers: { Prefer: 'latency=5000' } });
    await expect.poll(() => h.clock.pendingSleeps).toBe(1); // the request waits on the mock clock
    expect(await settled(answer)).toBe(false);
    h.clock.advance(4999);
    expect(await settled(answer)).toBe(false);
    h.clock.advance(1);
    expect((await answer).status).toBe(status);
  });

  it('stops waiting when the client gives up', async () => {
    const h = await startMock();
    const abort = new AbortController();
    const answer = h.call('/v1/models', { headers: { Prefer: 'latency=60000' }, signal: abort.signal });
    await expect.poll(() => h.clock.pendingSleeps).toBe(1);
    abort.abort();
    await expect(answer).rejects.toThrow();
    await expect.poll(() => h.clock.pendingSleeps).toBe(0);
  });
});

describe('Prefer: fault=<name>', () => {
  it('reset: the connection is destroyed before anything happens (nothing created or billed)', async () => {
    const h = await mockWithCredits(1);
    await expect(h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'fault=reset' } })).rejects.toThrow(/fetch failed/);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
  });

  it('drop-after-commit: the job is created and billed, then the connection is destroyed without an answer', async () => {
    const h = await mockWithCredits(1);
    await expect(h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'fault=drop-after-commit' } })).rejects.toThrow(/fetch failed/);
    const next = await h.call('/v1/images/jobs', { key: 'k', json: validJob });
    expect(next.status).toBe(402);
    expect((await errorOf(next)).type).toBe('insufficient_credits_error');
  });

  it('logs each injected fault as such', async () => {
    const lines: string[] = [];
    const h = await startMock({ log: (line) => lines.push(line) });
    for (const fault of ['reset', 'drop-after-commit']) await h.call('/v1/models', { headers: { Prefer: `fault=${fault}` } }).catch(() => undefined);
    await expect.poll(() => lines).toEqual([
      expect.stringMatching(/^GET \/lumixai\/api\/backend\/v1\/models dropped \(Prefer: fault=reset\) /),
      expect.stringMatching(/^GET \/lumixai\/api\/backend\/v1\/models dropped \(Prefer: fault=drop-after-commit\) /),
    ]);
  });

  it.each([
    { prefer: 'fault=explode', message: /fault=explode is not a fault the mock can inject; use one of drop-after-commit, reset/ },
    { prefer: 'latency=-1', message: /latency=-1 is not a whole number of milliseconds from 0 to 600000/ },
    { prefer: 'latency=1.5', message: /latency=1.5 is not a whole number/ },
    { prefer: 'latency=600001', message: /from 0 to 600000/ },
  ])('refuses Prefer: $prefer in the vendor envelope, even where the spec documents no 400', async ({ prefer, message }) => {
    const h = await startMock();
    const response = await h.call('/v1/models', { key: null, headers: { Prefer: prefer } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ type: 'validation_error', message: expect.stringMatching(message) });
  });
});

describe('the real LumixAI client against an answer lost after commit', () => {
  /** The first attempt asks the mock to drop its answer; later ones are sent as they are. */
  function droppingFirstAttempt() {
    const attempts: Request[] = [];
    const fetchImpl: typeof fetch = (input, init) => {
      const request = new Request(input, init);
      attempts.push(request.clone());
      if (attempts.length === 1) request.headers.set('Prefer', 'fault=drop-after-commit');
      return fetch(request);
    };
    return { attempts, fetchImpl };
  }
  const noWait = { baseDelayMs: 1, maxDelayMs: 1 };

  it.each([
    { name: 'createJob', status: 'pending', call: (client: ReturnType<typeof createLumixAIClient>) => client.createJob(validJob) },
    { name: 'generate', status: undefined, call: (client: ReturnType<typeof createLumixAIClient>) => client.generate(validJob) },
  ])('$name retried with its Idempotency-Key yields exactly one job and one charge', async ({ call, status }) => {
    const h = await mockWithCredits(2);
    const { attempts, fetchImpl } = droppingFirstAttempt();
    const client = createLumixAIClient({ baseUrl: h.base, apiKey: 'k', fetch: fetchImpl, retry: noWait });
    const answer = (await call(client)) as { status?: string };
    expect(answer.status).toBe(status);
    expect(attempts).toHaveLength(2);
    const keys = attempts.map((attempt) => attempt.headers.get('Idempotency-Key'));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    // Credits for two images: the dropped attempt and its retry were billed once between them.
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(402);
  });

  it('a create without an Idempotency-Key is not retried blindly: the client sees the failure, one job was billed', async () => {
    const h = await mockWithCredits(2);
    const { attempts, fetchImpl } = droppingFirstAttempt();
    // The retry layer the LumixAI client is built on, for a POST that carries no key.
    const retrying = createRetryingFetch(fetchImpl, noWait);
    const post = retrying(`${h.base}/v1/images/jobs`, { method: 'POST', headers: { 'X-API-Key': 'k', 'Content-Type': 'application/json' }, body: JSON.stringify(validJob) });
    await expect(post).rejects.toThrow(/fetch failed/);
    expect(attempts).toHaveLength(1);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(402);
  });
});
