import { describe, expect, it } from 'vitest';

import { DEV_KEY, errorOf, startMock, validJob } from '../../harness.js';

const flux = { ...validJob, model: 'flux-kontext' };

describe('LumixAI authentication, scopes, credits and rate limits', () => {
  const cases = [
    { name: 'no key', key: null, body: validJob, status: 401, type: 'authentication_error', message: /Missing API key.*X-API-Key/ },
    { name: 'unknown key', key: 'air_live_nope', body: validJob, status: 401, type: 'authentication_error', message: /Invalid API key/ },
    { name: 'scoped key, other model', key: 'air_live_mock_scoped', body: flux, status: 403, type: 'permission_denied_error', message: /flux-kontext/ },
    { name: 'scoped key, allowed model', key: 'air_live_mock_scoped', body: validJob, status: 202 },
    { name: 'workspace without credits', key: 'air_live_mock_no_credits', body: validJob, status: 402, type: 'insufficient_credits_error', message: /insufficient credits/ },
  ] as const;

  it.each(cases)('$name -> $status', async ({ key, body, status, ...expected }) => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', { key, json: body });
    expect(response.status).toBe(status);
    if ('type' in expected) {
      const error = await errorOf(response);
      expect(error.type).toBe(expected.type);
      expect(error.message).toMatch(expected.message);
    }
  });

  it('serves the public catalog without a key, and only public active models', async () => {
    const h = await startMock();
    const response = await h.call('/v1/models', { key: null });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ slug: string; public: boolean; active: boolean }> };
    expect(data.map((m) => m.slug)).toContain('imagen-nano-banana-2-flash');
    expect(data.every((m) => m.public && m.active)).toBe(true);
  });

  it('answers 429 with Retry-After past the per-minute limit, and lets the key in again after the window', async () => {
    const h = await startMock();
    const key = 'air_live_mock_rpm_2';
    expect((await h.call('/v1/images/jobs', { key, json: validJob })).status).toBe(202);
    h.clock.advance(15_000);
    expect((await h.call('/v1/images/jobs', { key, json: validJob })).status).toBe(202);
    const limited = await h.call('/v1/images/jobs', { key, json: validJob });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect((await errorOf(limited)).type).toBe('rate_limit_error');
    // Other keys are not affected.
    expect((await h.call('/v1/images/jobs', { json: validJob })).status).toBe(202);
    h.clock.advance(45_000);
    expect((await h.call('/v1/images/jobs', { key, json: validJob })).status).toBe(202);
  });

  it('charges the workspace per image and answers 402 once the credits run out', async () => {
    const h = await startMock({
      apis: { lumixai: { keys: [{ key: 'k_a', workspace: 'ws' }, { key: 'k_b', workspace: 'ws' }], workspaces: [{ id: 'ws', credits: 10_000_000 }] } },
    });
    // imagen-nano-banana-2-flash costs 5,000,000 micros; both keys draw on one workspace.
    expect((await h.call('/v1/images/jobs', { key: 'k_a', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k_b', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k_a', json: validJob })).status).toBe(402);
  });

  it('refunds a failed job', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    const failed = await h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'job-status=error' } });
    expect(failed.status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(402);
  });

  it('answers a scoped key 403 for its workspace\'s job and result of a model outside its scope, 200 within it', async () => {
    const h = await startMock();
    const { id: fluxJob } = (await (await h.call('/v1/images/jobs', { json: flux })).json()) as { id: string };
    const { id: ownJob } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    for (const path of [`/v1/images/jobs/${fluxJob}`, `/v1/images/results/${fluxJob}/download`]) {
      const response = await h.call(path, { key: 'air_live_mock_scoped' });
      expect(response.status, path).toBe(403);
      const error = await errorOf(response);
      expect(error.type).toBe('permission_denied_error');
      expect(error.message).toMatch(/flux-kontext/);
    }
    expect((await h.call(`/v1/images/jobs/${ownJob}`, { key: 'air_live_mock_scoped' })).status).toBe(200);
  });

  it('never shows one workspace another workspace\'s jobs or results', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: DEV_KEY }, { key: 'air_live_other' }] } } });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    for (const path of [`/v1/images/jobs/${id}`, `/v1/images/results/${id}/download`]) {
      const response = await h.call(path, { key: 'air_live_other' });
      expect(response.status).toBe(404);
      const error = await errorOf(response);
      expect(error.type).toBe('resource_not_found_error');
      expect(JSON.stringify(error)).not.toContain('done');
      expect((await h.call(path)).status).toBe(200);
    }
  });
});
