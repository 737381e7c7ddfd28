import { describe, expect, it } from 'vitest';

import { USEAPI_LUMA_DEV_KEYS, createMockServer, loadConfig, serve } from '../../../src/index.js';
import type { UseapiLumaAccountConfig } from '../../../src/index.js';
import { ASTRONAUT, TIMING, TOKENS, errorOf, startUseapiMock } from './helpers.js';

const CAPACITY = { status: 429, error: 'All configured accounts are running at maximum capacity', code: 429 };
const NO_SUBSCRIPTION = { status: 402, error: 'Account has no subscription or subscription expired' };
const SESSION_ERROR = {
  status: 596,
  error: 'Luma account has an error. Please check your account configuration via GET /v1/luma/accounts or re-add the account via POST /v1/luma/accounts',
};
const BATCH_MS = TIMING.queuedMs + TIMING.runningMs;
const emailOf = (jobid: string) => /-email:(.+):[0-9a-f-]{36}-bot:luma$/.exec(jobid)?.[1];

describe('useapi.net Luma accounts: one slot per batch, until it settles or is deleted', () => {
  it('a one-slot account answers the documented 429 to a second batch until the first settles', async () => {
    const h = await startUseapiMock();
    const first = await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    expect(emailOf(first.jobid)).toBe('solo@example.com');
    expect(await errorOf(await h.send('/images', { token: TOKENS.oneSlot, json: ASTRONAUT }))).toEqual(CAPACITY);
    h.clock.advance(BATCH_MS - 1);
    expect((await h.send('/images', { token: TOKENS.oneSlot, json: ASTRONAUT })).status, 'one image still generating').toBe(429);
    h.clock.advance(1);
    await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
  });

  it('the dev user@example.com runs 4 batches at once (the documented example concurrency); naming it says which account is full', async () => {
    const h = await startUseapiMock();
    for (let i = 0; i < 4; i++) await h.create();
    // expired@ and session-error@ are not eligible, so auto-selection has nowhere to go.
    expect(await errorOf(await h.send('/images', { json: ASTRONAUT }))).toEqual(CAPACITY);
    const named = await errorOf(await h.send('/images', { json: { ...ASTRONAUT, email: 'user@example.com' } }));
    expect(named).toMatchObject({ status: 429, code: 429 });
    expect(named.error).toMatch(/^All configured accounts are running at maximum capacity: user@example.com runs 4 of 4 batches/);
  });

  it('DELETE of a running batch frees its slot at once; its images still generating end failed', async () => {
    const h = await startUseapiMock();
    const running = await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    h.clock.advance(TIMING.queuedMs);
    const deleted = await h.send(`/jobs/${running.jobid}`, { method: 'DELETE', token: TOKENS.oneSlot });
    expect(await deleted.json()).toEqual({ jobid: running.jobid, deleted: true });
    await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    for (const jobid of running.jobids) {
      const job = await h.job(jobid, TOKENS.oneSlot);
      expect(job).toMatchObject({ status: 'failed', response: null, error: `Deleted before it finished: DELETE /jobs/${running.jobid}` });
    }
    // The batch's own record is gone; a second delete is a 404.
    for (const method of ['GET', 'DELETE']) {
      expect(await errorOf(await h.send(`/jobs/${running.jobid}`, { method, token: TOKENS.oneSlot }))).toEqual({ status: 404, error: 'Job not found' });
    }
  });

  it('DELETE of an image job: 409 while pending or processing, 200 once settled (then 404); the slot stays with the batch', async () => {
    const h = await startUseapiMock();
    const batch = await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    const image = batch.jobids[0]!;
    const refusals: string[] = [];
    for (const step of [0, TIMING.queuedMs]) {
      h.clock.advance(step);
      const refused = await errorOf(await h.send(`/jobs/${image}`, { method: 'DELETE', token: TOKENS.oneSlot }));
      expect(refused.status).toBe(409);
      refusals.push(refused.error);
    }
    expect(refusals).toEqual(
      ['pending', 'processing'].map((state) => `Cannot delete job in state '${state}'. Wait for completion, or delete its batch ${batch.jobid} to stop it.`),
    );
    h.clock.advance(TIMING.runningMs);
    const url = (await h.job(image, TOKENS.oneSlot)).response!.image.url;
    expect(await (await h.send(`/jobs/${image}`, { method: 'DELETE', token: TOKENS.oneSlot })).json()).toEqual({ jobid: image, deleted: true });
    expect((await h.send(`/jobs/${image}`, { token: TOKENS.oneSlot })).status).toBe(404);
    expect((await fetch(url)).status, "a deleted job's image URL stays public").toBe(200);
  });

  it.each([
    ['a token whose only account has no subscription', TOKENS.noSubscription, undefined, NO_SUBSCRIPTION],
    ['email naming an account without subscription', TOKENS.dev, 'expired@example.com', NO_SUBSCRIPTION],
    ['a token whose only account has a broken session', TOKENS.sessionError, undefined, SESSION_ERROR],
    ['email naming an account with a broken session', TOKENS.dev, 'session-error@example.com', SESSION_ERROR],
    ['email naming no configured account', TOKENS.dev, 'nobody@example.com', { status: 400, error: 'Unable to find configuration for email nobody@example.com' }],
  ])('%s: %s', async (_title, token, email, expected) => {
    const h = await startUseapiMock();
    expect(await errorOf(await h.send('/images', { token, json: { ...ASTRONAUT, ...(email ? { email } : {}) } }))).toEqual(expected);
  });

  it('email picks the account (any case); without it, a random account with a free slot', async () => {
    const accounts: UseapiLumaAccountConfig[] = [
      { email: 'a@example.com', concurrency: 1 },
      { email: 'b@example.com', concurrency: 1 },
    ];
    const h = await startUseapiMock({ apis: { 'useapi-luma': { accounts } } });
    const named = await h.create({ ...ASTRONAUT, email: 'B@Example.com' });
    expect(emailOf(named.jobid)).toBe('b@example.com');
    const picked = await h.create();
    expect(emailOf(picked.jobid), 'the only account with a free slot').toBe('a@example.com');
    expect(await errorOf(await h.send('/images', { json: ASTRONAUT }))).toEqual(CAPACITY);

    // Both free again: over enough batches both get picked.
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      h.clock.advance(BATCH_MS);
      seen.add(emailOf((await h.create()).jobid)!);
    }
    expect([...seen].sort()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('accounts belong to their workspace: another workspace has its own copies and its own slots', async () => {
    const h = await startUseapiMock({
      apis: {
        'useapi-luma': {
          keys: [{ key: 'team-a' }, { key: 'team-b' }, { key: 'team-c', workspace: 'c' }],
          accounts: [{ email: 'shared@example.com', concurrency: 1 }, { email: 'own@example.com', workspace: 'c' }],
        },
      },
    });
    const a = await h.create(ASTRONAUT, { token: 'team-a' });
    const b = await h.create(ASTRONAUT, { token: 'team-b' });
    expect([emailOf(a.jobid), emailOf(b.jobid)]).toEqual(['shared@example.com', 'shared@example.com']);
    expect((await h.send('/images', { token: 'team-a', json: ASTRONAUT })).status).toBe(429);
    expect(emailOf((await h.create(ASTRONAUT, { token: 'team-c' })).jobid)).toBe('own@example.com');
    expect((await h.send('/images', { token: 'team-c', json: { ...ASTRONAUT, email: 'shared@example.com' } })).status).toBe(400);
  });

  it('a harness that passes only its own keys (IMAGEGEN_MOCK_CONFIG_JSON) gets the dev accounts and a user number', async () => {
    const config = loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ apis: { 'useapi-luma': { keys: [{ key: 'ci-token' }] } } }) });
    const mock = createMockServer(config);
    const running = await serve(mock, { port: 0 });
    try {
      const response = await fetch(`${running.baseUrl('useapi-luma')}/images`, {
        method: 'POST',
        headers: { Authorization: 'Bearer ci-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ prompt: 'a lighthouse' }),
      });
      const body = (await response.json()) as { jobid: string };
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.jobid).toMatch(/^j\d{19}i-u\d{5}-email:user@example\.com:/);
      const devToken = await fetch(`${running.baseUrl('useapi-luma')}/images`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${USEAPI_LUMA_DEV_KEYS[0]!.key}`, 'Content-Type': 'application/json' },
        body: '{"prompt":"x"}',
      });
      expect(await errorOf(devToken), 'configured keys replace the dev keys').toEqual({ status: 401, error: 'Unauthorized' });
      expect(mock.violations).toEqual([]);
    } finally {
      await running.close();
    }
  });

  it.each([
    ['no token', null],
    ['an unknown token', 'nope'],
    ['a revoked token', 'revoked'],
    ['a token of another scheme', 'Basic dXNlcjpwYXNz'],
  ])('%s: the documented 401 body', async (_title, token) => {
    const h = await startUseapiMock({ apis: { 'useapi-luma': { keys: [{ key: 'good' }, { key: 'revoked', revoked: true }] } } });
    const error = 'Unauthorized';
    for (const [path, method] of [['/images', 'POST'], ['/jobs/x', 'GET'], ['/jobs/x', 'DELETE'], ['/assets/user@example.com', 'POST']] as const) {
      const headers = token?.startsWith('Basic ') ? { Authorization: token } : undefined;
      expect(await errorOf(await h.send(path, { method, token, headers })), `${method} ${path}`).toEqual({ status: 401, error });
    }
  });

  it('reset() frees every slot', async () => {
    const h = await startUseapiMock();
    await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    expect((await h.send('/images', { token: TOKENS.oneSlot, json: ASTRONAUT })).status).toBe(429);
    h.mock.reset();
    expect((await h.send('/images', { token: TOKENS.oneSlot, json: ASTRONAUT })).status).toBe(200);
  });
});
