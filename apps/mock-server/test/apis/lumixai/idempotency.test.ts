import { describe, expect, it } from 'vitest';

import { errorOf, startMock, validJob } from '../../harness.js';

describe('LumixAI Idempotency-Key', () => {
  it('returns the original job for a retry with the same key and body, and bills once', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    const send = (key: string, body: object = validJob) =>
      h.call('/v1/images/jobs', { key: 'k', json: body, headers: { 'Idempotency-Key': key } });
    const first = await send('retry-1');
    const firstBody = await first.json();
    const retry = await send('retry-1', { resolution: '2k', aspectRatio: '16:9', prompt: validJob.prompt, model: validJob.model });
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual(firstBody);
    // The workspace could pay for exactly one image: the retry did not charge again.
    expect((await send('another')).status).toBe(402);
  });

  it('answers 409 idempotency_conflict for the same key with a different body', async () => {
    const h = await startMock();
    const headers = { 'Idempotency-Key': 'k-1' };
    expect((await h.call('/v1/images/jobs', { json: validJob, headers })).status).toBe(202);
    const conflict = await h.call('/v1/images/jobs', { json: { ...validJob, prompt: 'something else' }, headers });
    expect(conflict.status).toBe(409);
    expect(await errorOf(conflict)).toMatchObject({ type: 'idempotency_conflict', message: expect.stringMatching(/Idempotency-Key/) });
  });

  it('scopes keys per workspace and per operation', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'a' }, { key: 'b' }] } } });
    const headers = { 'Idempotency-Key': 'shared' };
    const a = (await (await h.call('/v1/images/jobs', { key: 'a', json: validJob, headers })).json()) as { id: string };
    const b = (await (await h.call('/v1/images/jobs', { key: 'b', json: validJob, headers })).json()) as { id: string };
    expect(a.id).not.toBe(b.id);
    expect((await h.call('/v1/images/generations', { key: 'a', json: validJob, headers })).status).toBe(200);
  });

  it('lets a retry of a request that failed validation run again as new', async () => {
    const h = await startMock();
    const headers = { 'Idempotency-Key': 'k-2' };
    expect((await h.call('/v1/images/jobs', { json: { ...validJob, model: 'nope' }, headers })).status).toBe(400);
    expect((await h.call('/v1/images/jobs', { json: validJob, headers })).status).toBe(202);
  });

  it('replays a synchronous generation still in progress once it finishes', async () => {
    const h = await startMock({ timing: { queuedMs: 0, runningMs: 10_000 } });
    const headers = { 'Idempotency-Key': 'sync-1' };
    const first = h.call('/v1/images/generations', { json: validJob, headers });
    await expect.poll(() => h.clock.pendingSleeps).toBeGreaterThan(0);
    const second = h.call('/v1/images/generations', { json: validJob, headers });
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.clock.advance(10_000);
    const [one, two] = await Promise.all([first, second]);
    expect(one.status).toBe(200);
    expect(two.status).toBe(200);
    expect(await two.json()).toEqual(await one.json());
  });
});
