// Issue 14: after `close()` nothing an API owns fires. A job with a callback that settles after the
// server was closed sends nothing, throws nothing (no unhandled rejection, which would end a Node
// process without a handler) and leaves no timer behind; every API with callbacks is checked, each
// through the case in its own folder (test/apis/<slug>/callback-case.ts), found rather than listed.
import express from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { APIS } from '../src/apis/registry.js';
import { createApiContext } from '../src/core/api-context.js';
import { ManualClock, SystemClock } from '../src/core/clock.js';
import { loadSpec } from '../src/core/spec-document.js';
import { WebhookDispatcher } from '../src/core/webhooks.js';
import { declaresCallbacks } from './callback-case.js';
import type { CallbackCase } from './callback-case.js';
import { startMock } from './harness.js';
import { listen } from './listen.js';
import { perSlugCases } from './per-slug-cases.js';

/** A callback receiver on 127.0.0.1:0 counting what reaches it. */
async function receiver() {
  const hits: unknown[] = [];
  const app = express();
  app.post('/hook', express.json(), (req, res) => {
    hits.push(req.body);
    res.status(204).end();
  });
  const { url } = await listen(app);
  return { url: `${url}/hook`, hits };
}

const TIMING = { queuedMs: 1_000, runningMs: 9_000 };

/** The APIs whose spec declares a callback, in the registry's order. */
const WITH_CALLBACKS = APIS.map((api) => api.slug).filter((slug) => declaresCallbacks(loadSpec(slug)));

/** One job per API whose spec declares a callback, asking for it at `hook`: its `callback-case.ts`. */
const { cases: CASES, missing, extra } = await perSlugCases<CallbackCase, (typeof WITH_CALLBACKS)[number]>('callback-case', WITH_CALLBACKS);

/** Real time, counting the sleeps under way: a job's timers, and the server's expiry sweeps. */
class CountingClock extends SystemClock {
  pending = 0;

  override sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    this.pending++;
    return super.sleepUntil(at, signal).finally(() => this.pending--);
  }
}

let rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on('unhandledRejection', onRejection);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
  vi.restoreAllMocks();
});

describe('a job whose callback falls due after close()', () => {
  it.each(CASES)('$slug: sends nothing, throws nothing, keeps no timer', async ({ slug, create, sentAtCreation }) => {
    const h = await startMock({ timing: TIMING });
    const hook = await receiver();
    const errors = vi.spyOn(console, 'error');
    const created = await create(h, hook.url);
    expect(created.status, await created.clone().text()).toBe(200);
    if (sentAtCreation > 0) await h.mock.webhooks.waitFor((d) => d.api === slug);
    expect(hook.hits).toHaveLength(sentAtCreation);
    expect(h.mock.state(slug).jobs.length).toBeGreaterThan(0);

    await h.running.close();
    expect.soft(h.clock.pendingSleeps, 'timers of the closed server still waiting on the clock').toBe(0);
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    // Long enough for a settle notification, a delivery attempt and a rejection to surface.
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(rejections).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    expect(hook.hits).toHaveLength(sentAtCreation);
    expect(h.mock.webhooks.list({ api: slug, status: 'delivered' })).toEqual([]);
    // The jobs stay readable after close: a test may still inspect what was created.
    expect(h.mock.state(slug).jobs.map((job) => job.phase)).not.toContain('queued');
  });
});

describe('every API with callbacks is covered', () => {
  it('each API whose spec declares a callback has a case, and only those', () => {
    expect(WITH_CALLBACKS.length).toBeGreaterThan(0);
    expect(missing, 'APIs whose spec declares a callback but that have no case: add these files').toEqual([]);
    expect(extra, 'cases for APIs whose spec declares no callback (or that are not served)').toEqual([]);
    expect(CASES.map((c) => c.slug)).toEqual(WITH_CALLBACKS);
  });
});

describe('on real time, a job due after close() fires nothing', () => {
  // Long enough that close() (forced: no drain grace for keep-alive connections) ends before the
  // job is due, on a loaded machine too.
  const REAL = { queuedMs: 200, runningMs: 300 };
  it.each(CASES)('$slug: its timers are withdrawn at close, and nothing is sent or thrown when it would have settled', async ({ slug, create, sentAtCreation }) => {
    const clock = new CountingClock();
    const h = await startMock({ clock, timing: REAL });
    const hook = await receiver();
    const errors = vi.spyOn(console, 'error');
    const created = await create(h, hook.url);
    expect(created.status, await created.clone().text()).toBe(200);
    const dueAt = Math.min(...h.mock.state(slug).jobs.map((job) => job.settledAt));
    if (sentAtCreation > 0) await h.mock.webhooks.waitFor((d) => d.api === slug);
    expect(clock.pending, 'the job is waiting on the clock').toBeGreaterThan(0);

    await h.running.close({ force: true });
    expect(Date.now(), 'closed before the job was due, or this test proves nothing').toBeLessThan(dueAt);
    // A sleep withdrawn by its abort signal ends in a microtask or two.
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending, 'timers of the closed server still waiting').toBe(0);
    await new Promise((resolve) => setTimeout(resolve, dueAt - Date.now() + 150));

    expect(rejections).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
    expect(hook.hits).toHaveLength(sentAtCreation);
    expect(h.mock.webhooks.list({ api: slug, status: 'delivered' })).toEqual([]);
  });
});

describe('a callback sent through a closed context', () => {
  it('is recorded as refused, never thrown or sent', async () => {
    const clock = new ManualClock(0);
    const webhooks = new WebhookDispatcher(clock);
    const shared = { clock, timing: 'instant' as const, resultRetentionMs: 1, jobRetentionMs: 1, idempotencyRetentionMs: 1, originOf: () => '', secret: Buffer.alloc(32), webhooks, validateResponses: true };
    const handle = createApiContext('lumen', loadSpec('lumen'), [], shared);
    const sender = handle.ctx.callback('taskCompleted');
    const hook = await receiver();
    handle.close();
    await webhooks.close();
    const delivery = sender.send({ url: hook.url, payload: { id: 'a1', status: 'succeeded', created: 0 } });
    expect(delivery).toMatchObject({ status: 'refused', reason: expect.stringMatching(/closed/), attempts: [] });
    expect(webhooks.list({ status: 'refused' })).toEqual([delivery]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hook.hits).toEqual([]);
  });
});
