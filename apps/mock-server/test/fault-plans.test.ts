// Fault plans: faults armed on the mock from outside (HTTP under /_mock/faults, or mock.faults),
// for clients that cannot send Prefer. Each plan matches an API, an operation and optionally a key,
// fires on the n-th match a given number of times, then disarms; every firing is recorded.
import { describe, expect, it } from 'vitest';

import { FaultPlanError } from '../src/index.js';
import type { FaultPlanInput } from '../src/index.js';
import { DEV_KEY, errorOf, startMock, validJob } from './harness.js';
import { detailOf, startLuma } from './apis/luma-agents/support.js';
import { HIDREAM_FORM, LUMOZ_KEY, startLumozAI } from './apis/lumozai/harness.js';

const create = { api: 'lumixai', operation: 'createImageJob' } as const;

async function armOverHttp(url: string, plan: unknown) {
  return fetch(`${url}/_mock/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(plan) });
}

describe('arming, listing and clearing', () => {
  it('arms over HTTP, lists the plan, fires it once, records it and disarms', async () => {
    const h = await startMock();
    const armed = await armOverHttp(h.running.url, { ...create, fault: 'status', status: 503 });
    expect(armed.status).toBe(201);
    const { plans } = (await armed.json()) as { plans: Array<{ id: string }> };
    const listed = (await (await fetch(`${h.running.url}/_mock/faults`)).json()) as { plans: Array<{ id: string; times: number }>; fired: unknown[] };
    expect(listed.plans).toEqual([expect.objectContaining({ id: plans[0]!.id, times: 1, nth: 1, matched: 0 })]);

    expect((await h.call('/v1/models')).status).toBe(200); // another operation: not matched
    const first = await h.call('/v1/images/jobs', { json: validJob });
    expect(first.status).toBe(503);
    expect((await errorOf(first)).type).toBe('service_unavailable');
    expect((await h.call('/v1/images/jobs', { json: validJob })).status).toBe(202); // disarmed

    const after = (await (await fetch(`${h.running.url}/_mock/faults`)).json()) as { plans: unknown[]; fired: unknown[] };
    expect(after.plans).toEqual([]);
    expect(after.fired).toEqual([
      { planId: plans[0]!.id, api: 'lumixai', operation: 'createImageJob', fault: 'status', method: 'POST', path: '/lumixai/api/backend/v1/images/jobs', key: DEV_KEY, at: h.clock.now() },
    ]);
  });

  it.each([
    { name: 'nth only', plan: { nth: 2 }, expected: [202, 503, 202, 202] },
    { name: 'times only', plan: { times: 2 }, expected: [503, 503, 202, 202] },
    { name: 'nth and times', plan: { nth: 2, times: 2 }, expected: [202, 503, 503, 202] },
  ])('counts matching requests: $name', async ({ plan, expected }) => {
    const h = await startMock();
    h.mock.faults.arm({ ...create, fault: 'status', status: 503, ...plan });
    const statuses = [];
    for (let i = 0; i < expected.length; i++) statuses.push((await h.call('/v1/images/jobs', { json: validJob })).status);
    expect(statuses).toEqual(expected);
  });

  it('matches only the key it names', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'a' }, { key: 'b' }] } } });
    h.mock.faults.arm({ ...create, key: 'b', fault: 'status', status: 503 });
    expect((await h.call('/v1/images/jobs', { key: 'a', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'b', json: validJob })).status).toBe(503);
  });

  it('clear(id), DELETE and reset() disarm; reset() forgets what fired', async () => {
    const h = await startMock();
    const one = h.mock.faults.arm({ ...create, fault: 'reset' });
    h.mock.faults.arm({ ...create, fault: 'reset', nth: 5 });
    expect(h.mock.faults.clear(one.id)).toBe(true);
    expect(h.mock.faults.clear(one.id)).toBe(false);
    expect((await fetch(`${h.running.url}/_mock/faults/${one.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${h.running.url}/_mock/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(h.mock.faults.list()).toEqual([]);

    h.mock.faults.arm({ ...create, fault: 'status', status: 503, times: 3 });
    await h.call('/v1/images/jobs', { json: validJob });
    expect(h.mock.faults.fired()).toHaveLength(1);
    h.mock.reset();
    expect(h.mock.faults.list()).toEqual([]);
    expect(h.mock.faults.fired()).toEqual([]);
    expect((await h.call('/v1/images/jobs', { json: validJob })).status).toBe(202);
  });

  it.each<{ plan: Record<string, unknown>; error: RegExp }>([
    { plan: { api: 'nope', operation: 'x', fault: 'reset' }, error: /api: "nope" is not a mounted API; use one of lumixai/ },
    { plan: { ...create, operation: 'createJob', fault: 'reset' }, error: /operation: "createJob" is not an operation of lumixai; use one of listModels, createImageJob/ },
    { plan: { ...create, fault: 'explode' }, error: /fault: "explode" is not a fault .* use one of reset, drop-after-commit/ },
    { plan: { ...create, fault: 'status', status: 418 }, error: /status: 418 is not a documented error of lumixai createImageJob; documented: 400, 401/ },
    { plan: { ...create, fault: 'status', status: 429, retryAfterSeconds: -1 }, error: /retryAfterSeconds: must be a whole number/ },
    { plan: { ...create, fault: 'latency', latencyMs: 600_001 }, error: /latencyMs: must be a whole number of milliseconds from 0 to 600000/ },
    { plan: { ...create, fault: 'job-outcome', outcome: 'cancelled' }, error: /outcome: "cancelled" is not a job outcome of lumixai; use one of failed/ },
    { plan: { api: 'luma-agents', operation: 'createGeneration', fault: 'job-outcome', outcome: 'failed', code: 'x' }, error: /code: "x" is not a failure code of luma-agents; use one of content_moderated, / },
    { plan: { ...create, fault: 'reset', nth: 0 }, error: /nth: must be a whole number from 1/ },
    { plan: { ...create, fault: 'reset', latencyMs: 5 }, error: /latencyMs do not go with fault reset/ },
    { plan: { ...create, fault: 'reset', when: 'now' }, error: /unknown field when/ },
  ])('refuses $error', async ({ plan, error }: { plan: Record<string, unknown>; error: RegExp }) => {
    const h = await startMock();
    expect(() => h.mock.faults.arm(plan as unknown as FaultPlanInput)).toThrow(FaultPlanError);
    expect(() => h.mock.faults.arm(plan as unknown as FaultPlanInput)).toThrow(error);
    const answer = await armOverHttp(h.running.url, plan);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(error);
  });

  it('arms a list over HTTP all or none, and refuses a body that is not JSON', async () => {
    const h = await startMock();
    const answer = await armOverHttp(h.running.url, [{ ...create, fault: 'reset' }, { ...create, fault: 'nope' }]);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: string }).error).toMatch(/^plan 1: fault: "nope"/);
    expect(h.mock.faults.list()).toEqual([]);
    const broken = await fetch(`${h.running.url}/_mock/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(broken.status).toBe(400);
  });
});

describe('the faults', () => {
  it('reset: nothing is created; a retry succeeds', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    h.mock.faults.arm({ ...create, fault: 'reset' });
    await expect(h.call('/v1/images/jobs', { key: 'k', json: validJob })).rejects.toThrow(/fetch failed/);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
  });

  it('drop-after-commit: the job is created and billed, the answer lost', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    h.mock.faults.arm({ ...create, fault: 'drop-after-commit' });
    await expect(h.call('/v1/images/jobs', { key: 'k', json: validJob })).rejects.toThrow(/fetch failed/);
    expect(h.mock.state('lumixai').jobs).toEqual([expect.objectContaining({ owner: 'k', phase: 'succeeded', charged: 5_000_000 })]);
    const next = await h.call('/v1/images/jobs', { key: 'k', json: validJob });
    expect(next.status).toBe(402); // the one image the workspace could pay for was taken
    expect(h.mock.state('lumixai').jobs).toHaveLength(1);
    expect(() => h.mock.state('nope' as 'lumen')).toThrow(/nope is not mounted; mounted: lumixai, lumen/);
  });

  it('status 429 with a wait: Retry-After says it', async () => {
    const h = await startMock();
    h.mock.faults.arm({ ...create, fault: 'status', status: 429, retryAfterSeconds: 7 });
    const answer = await h.call('/v1/images/jobs', { json: validJob });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect((await errorOf(answer)).type).toBe('rate_limit_error');
  });

  it('status with a message: the documented error carries it (useapi.net 422 moderation)', async () => {
    const h = await startMock({ apis: { lumixai: false } });
    h.mock.faults.arm({ api: 'useapi-luma', operation: 'createImages', fault: 'status', status: 422, message: 'Content moderation: prompt rejected' });
    const base = h.running.baseUrl('useapi-luma');
    const answer = await fetch(`${base}/images`, { method: 'POST', headers: { Authorization: 'Bearer useapi_mock_dev', 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'x' }) });
    expect(answer.status).toBe(422);
    expect(await answer.json()).toEqual({ error: 'Content moderation: prompt rejected', code: 422 });
    expect(h.mock.state('useapi-luma').jobs).toEqual([]);
  });

  it("status 429 with a wait on LumozAI: the vendor's X-RateLimit headers say it too", async () => {
    const h = await startLumozAI();
    h.mock.faults.arm({ api: 'lumozai', operation: 'runModel', fault: 'status', status: 429, retryAfterSeconds: 30 });
    const answer = await h.post('/run', { key: LUMOZ_KEY, form: HIDREAM_FORM });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('30');
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(answer.headers.get('x-ratelimit-reset'))).toBe(Math.ceil((h.clock.now() + 30_000) / 1000));
    expect(answer.body).toMatchObject({ success: false, error: { code: 'rate_limit_exceeded' } });
  });

  it('latency: the answer waits on the mock clock', async () => {
    const h = await startMock();
    h.mock.faults.arm({ api: 'lumixai', operation: 'listModels', fault: 'latency', latencyMs: 3000 });
    const answer = h.call('/v1/models');
    await expect.poll(() => h.clock.pendingSleeps).toBe(1);
    h.clock.advance(3000);
    expect((await answer).status).toBe(200);
  });

  it('job-outcome failed: the created job fails with the message asked', async () => {
    const h = await startMock();
    h.mock.faults.arm({ ...create, fault: 'job-outcome', outcome: 'failed', message: 'moderated' });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    h.clock.advance(120_000);
    expect(await (await h.call(`/v1/images/jobs/${id}`)).json()).toMatchObject({ status: 'error', error: 'moderated' });
  });

  it('job-outcome with a vendor code (Luma Agents content_moderated), and cancelled (Lumen)', async () => {
    const luma = await startLuma();
    luma.mock.faults.arm({ api: 'luma-agents', operation: 'createGeneration', fault: 'job-outcome', outcome: 'failed', code: 'content_moderated' });
    const generation = await luma.create();
    luma.clock.advance(600_000);
    expect(await luma.poll(generation.id)).toMatchObject({ state: 'failed', failure_code: 'content_moderated' });

    const lumen = await startMock({ apis: { lumixai: false } });
    lumen.mock.faults.arm({ api: 'lumen', operation: 'createGenerationTask', fault: 'job-outcome', outcome: 'cancelled' });
    const base = lumen.running.baseUrl('lumen');
    const headers = { Authorization: `Bearer ${lumen.mock.apis.find((api) => api.slug === 'lumen')!.devKeys[0]!.key}`, 'Content-Type': 'application/json' };
    const task = (await (await fetch(`${base}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify({ model: 'gpt-image-2-low', prompt: 'a cat' }) })).json()) as { id: string };
    lumen.clock.advance(600_000);
    expect(await (await fetch(`${base}/v1/images/generations/${task.id}`, { headers })).json()).toMatchObject({ status: 'cancelled' });
  });

  it("expire-outputs: an output URL answers as expired once, in the vendor's words; a fresh poll's URL works", async () => {
    const h = await startLuma();
    const generation = await h.create();
    h.clock.advance(600_000);
    const url = (await h.poll(generation.id)).output![0]!.url;
    h.mock.faults.arm({ api: 'luma-agents', operation: 'output', fault: 'expire-outputs' });
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(await detailOf(expired)).toMatch(/request has expired; poll the generation again/);
    expect((await fetch((await h.poll(generation.id)).output![0]!.url)).status).toBe(200);
  });

  it('expire-outputs on a download operation (LumixAI): 404 in its format', async () => {
    const h = await startMock();
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    h.clock.advance(120_000);
    h.mock.faults.arm({ api: 'lumixai', operation: 'downloadImageResult', fault: 'expire-outputs' });
    const gone = await h.call(`/v1/images/results/${id}/download`);
    expect(gone.status).toBe(404);
    expect(await errorOf(gone)).toMatchObject({ type: 'resource_not_found_error', message: expect.stringMatching(/expired/) });
  });
});
