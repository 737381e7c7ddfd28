import { describe, expect, it } from 'vitest';

import { formatMockEvent } from '../src/index.js';
import type { JobEvent, MockEvent, RequestEvent } from '../src/index.js';
import { DEV_KEY, startMock, validJob } from './harness.js';
import { HIDREAM_FORM, startLumozAI } from './apis/lumozai/harness.js';
import { proxyTo, upstream } from './proxy-support.js';

// The mock's structured events (`onEvent`) and the log lines made of them: what the inspector and
// the terminal log show of each request and each job.

async function withEvents(options: Parameters<typeof startMock>[0] = {}) {
  const events: MockEvent[] = [];
  const lines: string[] = [];
  const h = await startMock({ ...options, onEvent: (event) => events.push(event), log: (line) => lines.push(line) });
  const requests = () => events.filter((event): event is RequestEvent => event.type === 'request');
  const jobs = () => events.filter((event): event is JobEvent => event.type === 'job');
  return { h, events, lines, requests, jobs };
}

describe('request events', () => {
  it('carry the id, API, method, path, status, duration, masked key and wall time of each request', async () => {
    const { h, requests } = await withEvents();
    const before = Date.now();
    await (await h.call('/v1/images/jobs', { json: validJob })).arrayBuffer();
    await (await fetch(`${h.running.url}/`)).arrayBuffer();
    await expect.poll(() => requests().length).toBe(2);
    const [created, root] = requests();
    expect(created).toEqual({
      type: 'request',
      id: 1,
      api: 'lumixai',
      method: 'POST',
      path: '/lumixai/api/backend/v1/images/jobs',
      status: 202,
      durationMs: expect.any(Number),
      key: 'air_…ev',
      at: expect.any(Number),
    });
    expect(created!.at).toBeGreaterThanOrEqual(before);
    expect(created!.at).toBeLessThanOrEqual(Date.now());
    expect(root).toMatchObject({ id: 2, api: null, method: 'GET', path: '/', status: 200 });
    expect(root).not.toHaveProperty('key');
    expect(root).not.toHaveProperty('reason');
  });

  // Each reason comes from the problem the pipeline or handler raised, worded the same for every API.
  it.each([
    { name: 'a validation issue names the field and the rule', path: '/v1/images/jobs', init: { json: { ...validJob, aspectRatio: '5:7' } }, status: 400, reason: /^validation: aspectRatio \[enum\]: must be equal to one of the allowed values/ },
    { name: 'a missing required field', path: '/v1/images/jobs', init: { json: { model: validJob.model } }, status: 400, reason: /^validation: prompt \[required\]: / },
    { name: 'a missing key names the header', path: '/v1/images/jobs', init: { key: null, json: validJob }, status: 401, reason: /^authentication \(missing key\): Missing API key: send it in the X-API-Key header/ },
    { name: 'an unknown key', path: '/v1/images/jobs', init: { key: 'air_live_nope_nope', json: validJob }, status: 401, reason: /^authentication \(invalid key\): Invalid API key/ },
    { name: "a key's scope", path: '/v1/images/jobs', init: { key: 'air_live_mock_scoped', json: { ...validJob, model: 'flux-kontext' } }, status: 403, reason: /^permission_denied: .*flux-kontext/ },
    { name: 'Prefer: code', path: '/v1/images/jobs', init: { json: validJob, headers: { Prefer: 'code=429' } }, status: 429, reason: /^Prefer: code=429 \(simulated\)$/ },
    { name: 'an unknown endpoint', path: '/v1/nothing', init: {}, status: 404, reason: /^not_found: No lumixai endpoint at GET \/v1\/nothing$/ },
  ])('$name', async ({ path, init, status, reason }) => {
    const { h, requests, lines } = await withEvents();
    const response = await h.call(path, init);
    expect(response.status).toBe(status);
    await response.arrayBuffer();
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]!.reason).toMatch(reason);
    // The log line is the event's: the reason follows the timing on the same line.
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^\\w+ \\S+ ${status} \\d+\\.\\dms  ${reason.source.slice(1)}`))]);
  });

  it("names the rate window of a key past its limit", async () => {
    const { h, requests } = await withEvents();
    const key = 'air_live_mock_rpm_2';
    for (let i = 0; i < 3; i++) await (await h.call('/v1/images/jobs', { key, json: validJob })).arrayBuffer();
    await expect.poll(() => requests().length).toBe(3);
    expect(requests().map((event) => event.status)).toEqual([202, 202, 429]);
    expect(requests()[2]!.reason).toMatch(/^rate_limited: Rate limit of 2 requests per minute exceeded; retry in \d+ s$/);
    expect(requests()[2]!.key).toBe('air_…_2');
  });

  it('names an unmounted path, with no API', async () => {
    const { h, requests, lines } = await withEvents();
    await (await fetch(`${h.running.url}/api/backend/v1/models`)).arrayBuffer();
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]).toMatchObject({ api: null, status: 404, reason: expect.stringMatching(/^not_found: No API is mounted at \/api\/backend\/v1\/models/) });
    expect(lines[0]).toMatch(/^GET \/api\/backend\/v1\/models 404 \d+\.\dms {2}not_found: No API is mounted at/);
  });

  it('report the preferences nothing read on the request line, not on the console', async () => {
    const { h, requests, lines } = await withEvents();
    const response = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'job-status=error, jobstatus=done' } });
    expect(response.status).toBe(202);
    await response.arrayBuffer();
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]!.ignoredPreferences).toEqual(['jobstatus']);
    expect(lines.filter((line) => line.startsWith('POST'))[0]).toMatch(/ 202 \d+\.\dms {2}\(Prefer jobstatus ignored: no preference of the mock or of lumixai has that name\)$/);
  });

  it.each([
    { by: 'Prefer', arm: () => undefined, headers: { Prefer: 'fault=drop-after-commit' } as Record<string, string>, outcome: /^dropped \(Prefer: fault=drop-after-commit\)$/ },
    {
      by: 'a fault plan',
      arm: (h: Awaited<ReturnType<typeof startMock>>) => h.mock.faults.arm({ api: 'lumixai', operation: 'createImageJob', fault: 'reset' }).id,
      headers: {} as Record<string, string>,
      outcome: /^dropped \(fault plan fp_\d+: reset\)$/,
    },
  ])('name what dropped a connection: $by', async ({ arm, headers, outcome }) => {
    const { h, requests } = await withEvents();
    const planId = arm(h);
    await expect(h.call('/v1/images/jobs', { json: validJob, headers })).rejects.toThrow();
    await expect.poll(() => requests().length).toBe(1);
    expect(requests()[0]!.outcome).toMatch(outcome);
    if (planId !== undefined) expect(requests()[0]!.outcome).toContain(planId);
  });

  it("name a proxied API's requests by its slug, like the mock's own", async () => {
    const vendor = await upstream(() => ({ status: 200, body: JSON.stringify({ data: [] }) }));
    const events: MockEvent[] = [];
    const proxy = await proxyTo(vendor.url, { onEvent: (event) => events.push(event) });
    await (await fetch(`${proxy.base}/v1/models`)).arrayBuffer();
    await expect.poll(() => events.filter((event) => event.type === 'request').length).toBe(1);
    expect(events[0]).toMatchObject({ type: 'request', api: 'lumixai', method: 'GET', path: '/lumixai/api/backend/v1/models', status: 200 });
  });

  it('never carry a key or a presigned signature in full', async () => {
    const { h, events, lines } = await withEvents({ apis: { lumixai: { keys: [{ key: 'air_live_secret_team_key' }] } } });
    await (await h.call('/v1/images/jobs', { key: 'air_live_secret_team_key', json: validJob })).arrayBuffer();
    await (await h.call('/v1/images/jobs', { key: 'air_live_wrong_but_secret', json: validJob })).arrayBuffer();
    await (await fetch(`${h.running.url}/lumixai/x?Expires=1&Signature=deadbeefcafe&token=abc123`)).arrayBuffer();
    await expect.poll(() => events.filter((event) => event.type === 'request').length).toBe(3);
    const everything = JSON.stringify(events) + lines.join('\n');
    for (const secret of ['air_live_secret_team_key', 'air_live_wrong_but_secret', 'deadbeefcafe', 'abc123', DEV_KEY]) expect(everything).not.toContain(secret);
    expect(everything).toContain('Signature=…');
    expect(everything).toContain('Expires=1');
  });
});

describe('job events', () => {
  it('report each state change on the mock clock, in the API’s words, one log line each', async () => {
    const { h, jobs, lines } = await withEvents({ timing: { queuedMs: 1_000, runningMs: 5_000 } });
    const created = h.clock.now();
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    h.clock.advance(1_000);
    await expect.poll(() => jobs().length).toBe(2);
    h.clock.advance(5_000);
    await expect.poll(() => jobs().length).toBe(3);
    expect(jobs()).toEqual([
      { type: 'job', api: 'lumixai', jobId: id, from: null, to: 'queued', fromStatus: null, toStatus: 'pending', at: created },
      { type: 'job', api: 'lumixai', jobId: id, from: 'queued', to: 'running', fromStatus: 'pending', toStatus: 'running', at: created + 1_000 },
      { type: 'job', api: 'lumixai', jobId: id, from: 'running', to: 'succeeded', fromStatus: 'running', toStatus: 'done', at: created + 6_000 },
    ]);
    expect(lines.filter((line) => line.startsWith('lumixai job'))).toEqual([`lumixai job ${id}: created, pending`, `lumixai job ${id}: pending -> running`, `lumixai job ${id}: running -> done`]);
  });

  it('report a failed job', async () => {
    const { h, jobs } = await withEvents({ timing: { queuedMs: 0, runningMs: 2_000 } });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'job-status=error' } })).json()) as { id: string };
    h.clock.advance(2_000);
    await expect.poll(() => jobs().map((event) => event.toStatus)).toEqual(['running', 'error']);
    expect(jobs()[1]).toMatchObject({ jobId: id, from: 'running', to: 'failed' });
  });

  it('leave out a change the API’s words do not show: LumozAI is processing both queued and running', async () => {
    const events: MockEvent[] = [];
    const h = await startLumozAI({ timing: { queuedMs: 1_000, runningMs: 5_000 }, onEvent: (event) => events.push(event) });
    const id = await h.runId({ form: HIDREAM_FORM });
    h.clock.advance(1_000);
    h.clock.advance(5_000);
    const jobs = () => events.filter((event): event is JobEvent => event.type === 'job');
    await expect.poll(() => jobs().length).toBe(2);
    expect(jobs().map(formatMockEvent)).toEqual([`lumozai job ${id}: created, processing`, `lumozai job ${id}: processing -> completed`]);
    expect(jobs()[1]).toMatchObject({ from: 'queued', to: 'succeeded' });
  });

});
