// The shared idempotency mechanism: keys expire and are swept (issue 6 row 3), and the caller's
// authorization runs before a stored answer can be replayed (row 6), for every API that uses it.
import type { Request, Response } from 'express';
import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { IdempotencyStore } from '../src/core/idempotency-store.js';
import type { StoredResponse } from '../src/core/idempotency-store.js';
import { ProblemError, problem } from '../src/core/problems.js';
import { errorOf, startMock, validJob } from './harness.js';

/** The least of an Express request/response pair `respond` reads and writes. */
function exchange(key: string | undefined, body: unknown, workspace = 'w') {
  const req = {
    body,
    get: (name: string) => (name.toLowerCase() === 'idempotency-key' ? key : undefined),
    mock: { operation: { operationId: 'create' }, principal: { workspace }, uploads: [], prefer: new Map(), requestedOutcome: undefined },
  } as unknown as Request;
  const sent: StoredResponse[] = [];
  let status = 200;
  const res = {
    status(code: number) {
      status = code;
      return res;
    },
    json(payload: unknown) {
      sent.push({ status, body: payload });
      return res;
    },
  } as unknown as Response;
  return { req, res, sent };
}

function counter() {
  let produced = 0;
  return {
    get produced() {
      return produced;
    },
    steps: (allowed = true) => ({
      authorize: () => {
        if (!allowed) throw problem('permission_denied', 'not for you');
        return 'plan';
      },
      produce: async () => ({ status: 202, body: { n: ++produced } }),
    }),
  };
}

/** The vendor's own answer to a reused key: the store raises whatever the vendor gives it. */
const conflict = (message: string) => problem('conflict_of_the_vendor', message);

describe('IdempotencyStore', () => {
  it('replays the first answer within the retention, and forgets the key after it', async () => {
    const clock = new ManualClock(0);
    const store = new IdempotencyStore(clock, { ttlMs: 1000, conflict });
    const work = counter();
    const send = async (body: unknown) => {
      const { req, res, sent } = exchange('k', body);
      await store.respond(req, res, work.steps());
      return sent[0];
    };
    expect(await send({ a: 1 })).toEqual({ status: 202, body: { n: 1 } });
    clock.advance(999);
    expect(await send({ a: 1 })).toEqual({ status: 202, body: { n: 1 } });
    const reused = await send({ a: 2 }).catch((error: unknown) => error);
    expect((reused as ProblemError).problem).toMatchObject({ kind: 'conflict_of_the_vendor', message: expect.stringMatching(/different request body/) });
    clock.advance(1);
    // Expired: the same key is a new request, even with another body.
    expect(await send({ a: 2 })).toEqual({ status: 202, body: { n: 2 } });
  });

  it('sweeps expired keys as new ones arrive, so unique keys never pile up', async () => {
    const clock = new ManualClock(0);
    const store = new IdempotencyStore(clock, { ttlMs: 1000, conflict });
    const work = counter();
    for (let i = 0; i < 5000; i++) {
      const { req, res } = exchange(`key-${i}`, { i });
      await store.respond(req, res, work.steps());
      clock.advance(10); // 100 keys live at any time
    }
    expect(work.produced).toBe(5000);
    // Live keys plus at most one sweep interval of expired ones; 5000 without sweeping.
    expect(store.size).toBeLessThanOrEqual(100 + 1000);
  });

  it('runs the authorization step before the store: a caller refused without a replay is refused with one', async () => {
    const store = new IdempotencyStore(new ManualClock(0), { conflict });
    const work = counter();
    const first = exchange('shared', { model: 'm' });
    await store.respond(first.req, first.res, work.steps(true));
    const replay = exchange('shared', { model: 'm' });
    const refusal = await store.respond(replay.req, replay.res, work.steps(false)).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect((refusal as ProblemError).problem.kind).toBe('permission_denied');
    expect(replay.sent).toEqual([]);
    expect(work.produced).toBe(1);
  });

  it('scopes keys per workspace', async () => {
    const store = new IdempotencyStore(new ManualClock(0), { conflict });
    const work = counter();
    for (const workspace of ['a', 'b']) {
      const { req, res } = exchange('shared', { x: 1 }, workspace);
      await store.respond(req, res, work.steps());
    }
    expect(work.produced).toBe(2);
  });
});

describe('LumixAI through the shared mechanism (issue 6 row 6)', () => {
  it("a key scoped to one model replaying a workspace colleague's request gets the 403 it gets without a replay", async () => {
    const h = await startMock({
      apis: { lumixai: { keys: [{ key: 'a', workspace: 'team' }, { key: 'b', workspace: 'team', models: ['imagen-nano-banana-2-flash'] }] } },
    });
    const body = { ...validJob, model: 'flux-kontext', aspectRatio: '1:1' };
    const headers = { 'Idempotency-Key': 'same-key' };
    expect((await h.call('/v1/images/jobs', { key: 'a', json: body, headers })).status).toBe(202);
    const withoutReplay = await h.call('/v1/images/jobs', { key: 'b', json: body });
    const withReplay = await h.call('/v1/images/jobs', { key: 'b', json: body, headers });
    expect(withReplay.status).toBe(withoutReplay.status);
    expect(withReplay.status).toBe(403);
    expect(await errorOf(withReplay)).toEqual(await errorOf(withoutReplay));
    // The model b may use replays a's job for a's own retry as before.
    expect((await h.call('/v1/images/jobs', { key: 'a', json: body, headers })).status).toBe(202);
  });

  it('forgets a key after idempotencyRetentionMs: the same key then starts a new job', async () => {
    const h = await startMock({ idempotencyRetentionMs: 60_000 });
    const headers = { 'Idempotency-Key': 'k' };
    const first = (await (await h.call('/v1/images/jobs', { json: validJob, headers })).json()) as { id: string };
    h.clock.advance(59_999);
    expect(((await (await h.call('/v1/images/jobs', { json: validJob, headers })).json()) as { id: string }).id).toBe(first.id);
    h.clock.advance(1);
    expect(((await (await h.call('/v1/images/jobs', { json: validJob, headers })).json()) as { id: string }).id).not.toBe(first.id);
  });
});
