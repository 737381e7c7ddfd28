// LumozAI's hourly limit: X-RateLimit-Limit, -Remaining and -Reset (the Unix second the window
// ends) on every answer, 401s included, and 429 rate_limit_exceeded beyond it.
import { describe, expect, it } from 'vitest';

import type { LumozAnswer, LumozRequest } from './harness.js';
import { HIDREAM_FORM, lumozError, startLumozAI } from './harness.js';

const HOUR_MS = 60 * 60 * 1000;

function limits(answer: LumozAnswer): { limit: number; remaining: number; reset: number } {
  const read = (name: string) => {
    const value = answer.headers.get(name);
    expect(value, `${name} on a ${answer.status}`).toMatch(/^\d+$/);
    return Number(value);
  };
  return { limit: read('x-ratelimit-limit'), remaining: read('x-ratelimit-remaining'), reset: read('x-ratelimit-reset') };
}

describe('the three headers on every answer', () => {
  it.each<{ name: string; path?: string; request: LumozRequest; status: number; limit: number }>([
    { name: 'a completed run', request: { form: HIDREAM_FORM }, status: 200, limit: 100_000 },
    { name: 'a check', path: '/check', request: { form: { request_id: 'RUN' } }, status: 200, limit: 100_000 },
    { name: 'a 401 without a key (the per-address bucket)', request: { key: null, form: HIDREAM_FORM }, status: 401, limit: 3600 },
    { name: 'a 401 with an unknown key', request: { key: 'lmz_guess', form: HIDREAM_FORM }, status: 401, limit: 3600 },
    { name: 'a 401 with a revoked key', request: { key: 'lmz_mock_revoked', form: HIDREAM_FORM }, status: 401, limit: 3600 },
    { name: 'a 403', request: { key: 'lmz_mock_no_models', form: HIDREAM_FORM }, status: 403, limit: 100_000 },
    { name: 'a 404', request: { form: { ...HIDREAM_FORM, model_id: 'nope' } }, status: 404, limit: 100_000 },
    { name: 'a 422 from the spec', request: { form: { prompt: 'x' } }, status: 422, limit: 100_000 },
    { name: "a 422 from the model's list", request: { form: { ...HIDREAM_FORM, guidance_scale: '50' } }, status: 422, limit: 100_000 },
    { name: 'a 422 on /check', path: '/check', request: { form: { request_id: '212121212121212' } }, status: 422, limit: 100_000 },
    { name: 'a 422 for a bad Prefer header', request: { form: HIDREAM_FORM, headers: { Prefer: 'code=418' } }, status: 422, limit: 100_000 },
    { name: 'a 500 (Prefer: code=500)', request: { form: HIDREAM_FORM, headers: { Prefer: 'code=500' } }, status: 500, limit: 100_000 },
    { name: 'a 429 (Prefer: code=429)', request: { form: HIDREAM_FORM, headers: { Prefer: 'code=429' } }, status: 429, limit: 100_000 },
  ])('$name', async ({ path = '/run', request, status, limit }) => {
    const h = await startLumozAI();
    // The check row checks a run made first (one more request in the same window).
    const runId = request.form?.request_id === 'RUN' ? await h.runId() : undefined;
    const answer = await h.post(path, runId === undefined ? request : { ...request, form: { request_id: String(runId) } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    const used = runId === undefined ? 1 : 2;
    expect(limits(answer)).toEqual({ limit, remaining: limit - used, reset: Math.ceil((h.clock.now() + HOUR_MS) / 1000) });
  });
});

describe('the hourly window', () => {
  it('counts down per key, refuses with 429 past the limit, and opens a new window an hour after the first request', async () => {
    const h = await startLumozAI();
    const start = h.clock.now();
    const resetOfFirstWindow = Math.ceil((start + HOUR_MS) / 1000);
    const seen: Array<[number, number, number]> = [];
    const send = async () => {
      const answer = await h.post('/run', { key: 'lmz_mock_hourly_3', form: HIDREAM_FORM });
      const { remaining, reset } = limits(answer);
      seen.push([answer.status, remaining, reset]);
      return answer;
    };
    await send();
    h.clock.advance(10 * 60 * 1000);
    await send();
    await send();
    const refused = await send();
    expect(lumozError(refused)).toMatchObject({ code: 'rate_limit_exceeded', message: expect.stringMatching(/3 requests per hour/) });
    // The dev key has its own window.
    expect((await h.post('/run', { form: HIDREAM_FORM })).status).toBe(200);
    h.clock.set(start + HOUR_MS - 1);
    await send();
    h.clock.advance(1);
    await send();
    expect(seen).toEqual([
      [200, 2, resetOfFirstWindow],
      [200, 1, resetOfFirstWindow],
      [200, 0, resetOfFirstWindow],
      [429, 0, resetOfFirstWindow],
      [429, 0, resetOfFirstWindow],
      [200, 2, Math.ceil((start + 2 * HOUR_MS) / 1000)],
    ]);
  });

  it('counts a key from the config file at its own requestsPerHour, and a key without one at the default', async () => {
    const h = await startLumozAI({ apis: { lumozai: { keys: [{ key: 'ci', requestsPerHour: 250 }, { key: 'plain' }] } } });
    const [ci, plain] = await Promise.all(['ci', 'plain'].map((key) => h.post('/run', { key, form: HIDREAM_FORM })));
    expect([limits(ci!).limit, limits(ci!).remaining, limits(plain!).limit]).toEqual([250, 249, 100_000]);
  });

  it('counts requests without a valid key per client address: 429 past unauthenticatedRequestsPerHour, keys unaffected', async () => {
    const h = await startLumozAI({ apis: { lumozai: { unauthenticatedRequestsPerHour: 2 } } });
    const statuses: Array<[number, string, number]> = [];
    for (const key of [null, 'lmz_guess', 'lmz_mock_revoked']) {
      const answer = await h.post('/run', { key, form: HIDREAM_FORM });
      statuses.push([answer.status, lumozError(answer).code, limits(answer).remaining]);
    }
    expect(statuses).toEqual([
      [401, 'authentication_failed', 1],
      [401, 'authentication_failed', 0],
      [429, 'rate_limit_exceeded', 0],
    ]);
    expect((await h.post('/run', { form: HIDREAM_FORM })).status).toBe(200);
    h.clock.advance(HOUR_MS);
    expect((await h.post('/run', { key: null, form: HIDREAM_FORM })).status).toBe(401);
  });

  it('mock.reset() starts every window afresh', async () => {
    const h = await startLumozAI();
    for (let i = 0; i < 3; i++) await h.post('/run', { key: 'lmz_mock_hourly_3', form: HIDREAM_FORM });
    h.mock.reset();
    const answer = await h.post('/run', { key: 'lmz_mock_hourly_3', form: HIDREAM_FORM });
    expect([answer.status, limits(answer).remaining]).toEqual([200, 2]);
  });

  it('LumixAI keeps its per-minute window on the same server', async () => {
    const h = await startLumozAI({ apis: { lumixai: {} } });
    const lumix = () => h.call('/v1/images/jobs/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30', { key: 'air_live_mock_rpm_2' }).then((r) => r.status);
    const lumoz = () => h.post('/run', { key: 'lmz_mock_hourly_3', form: HIDREAM_FORM }).then((a) => a.status);
    const before = [await lumix(), await lumix(), await lumix(), await lumoz(), await lumoz(), await lumoz(), await lumoz()];
    h.clock.advance(61_000);
    expect([...before, await lumix(), await lumoz()]).toEqual([404, 404, 429, 200, 200, 200, 429, 404, 429]);
  });
});

// Issue 15 row 5: answers raised before a request was counted carried none of the three.
describe('the three headers on answers the pipeline gives before counting', () => {
  it.each([
    { name: 'a 404 for an unknown path', method: 'GET', path: '/nope', status: 404 },
    { name: 'a 404 for an unknown method', method: 'DELETE', path: '/run', status: 404 },
    { name: 'a 404 for a malformed percent-encoded path', method: 'GET', path: '/%E0%A4%A', status: 404 },
    { name: 'a 422 for a bad Prefer latency', method: 'POST', path: '/run', status: 422, prefer: 'latency=soon' },
    { name: 'a 422 for a bad Prefer fault', method: 'POST', path: '/run', status: 422, prefer: 'fault=melt' },
  ])('$name', async ({ method, path, status, prefer }) => {
    const h = await startLumozAI();
    const response = await fetch(`${h.running.baseUrl('lumozai')}${path}`, {
      method,
      headers: { Authorization: 'Bearer lmz_mock_dev', ...(prefer ? { Prefer: prefer, 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
      body: prefer ? new URLSearchParams(HIDREAM_FORM).toString() : undefined,
    });
    expect(response.status, await response.clone().text()).toBe(status);
    const answer = { status: response.status, headers: response.headers, body: await response.json() } as LumozAnswer;
    expect(limits(answer)).toMatchObject({ limit: 100_000, remaining: 99_999 });
  });
});
