// The inspector at /_mock/: its JSON views keep to their own schema, secrets never show in full,
// memory stays bounded, and the page holds what happened (a refused request, a failed job and its
// refund, a retried and signed webhook, a fault that fired).
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it, vi } from 'vitest';

import { maskJsonText, maskSecret, secretScrubber } from '../src/core/secrets.js';
import { APIS, INSPECTOR_SCHEMA, loadConfig, settleOnManualClock } from '../src/index.js';
import type { ApiContext, InspectorSnapshot, RequestRecord } from '../src/index.js';
import { GENERATION, KEYS, TIMING, hookReceiver, startLumen } from './apis/lumen/support.js';
import { startMock, validJob } from './harness.js';
import { proxyTo, upstream } from './proxy-support.js';

const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(INSPECTOR_SCHEMA);
const validSnapshot = ajv.getSchema(`${INSPECTOR_SCHEMA.$id}#/$defs/Snapshot`)!;
const validRequest = ajv.getSchema(`${INSPECTOR_SCHEMA.$id}#/$defs/Request`)!;

function expectValid(validate: typeof validSnapshot, value: unknown): void {
  expect(validate(value), ajv.errorsText(validate.errors)).toBe(true);
}

const SECRET = 'whsec-inspector-0123456789';

async function snapshotOf(url: string, query = ''): Promise<InspectorSnapshot> {
  const response = await fetch(`${url}/_mock/${query}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const snapshot = (await response.json()) as InspectorSnapshot;
  expectValid(validSnapshot, snapshot);
  return snapshot;
}

describe('the inspector as JSON', () => {
  it('shows a Lumen life cycle: a refused request, a failed task refunded, a retried webhook whose signature verifies, a fault fired', async () => {
    const receiver = await hookReceiver(500, 200);
    const h = await startLumen({ webhooks: { baseDelayMs: 10_000, jitter: 0 } });
    const refused = await h.lumen('/v1/images/generations', { json: GENERATION, key: 'sk-lumen-not-a-key-at-all' });
    expect(refused.status).toBe(401);
    await h.submit({ ...GENERATION, webhook_url: receiver.url, webhook_secret: SECRET }, { key: KEYS.credits100 });
    await h.submit(GENERATION, { key: KEYS.credits100, headers: { Prefer: 'job-status=failed, job-error-code=upstream_error' } });
    const armed = await fetch(`${h.running.url}/_mock/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ api: 'lumen', operation: 'getTask', fault: 'reset' }) });
    expect(armed.status).toBe(201);
    await expect(h.lumen('/v1/images/generations/abc')).rejects.toThrow();
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    await vi.waitFor(() => expect(h.mock.webhooks.list()).toHaveLength(1));
    await settleOnManualClock(h.mock.webhooks, h.clock);

    const snapshot = await snapshotOf(h.running.url, '?api=lumen');
    const [lumen] = snapshot.apis;
    expect(lumen?.slug).toBe('lumen');
    const requests = lumen!.requests.recent;
    expect(requests[requests.length - 1]).toMatchObject({ method: 'POST', status: 401, key: 'sk-l…ll', operation: 'createGenerationTask' });
    expect(requests[0]).toMatchObject({ method: 'GET', status: null, outcome: expect.stringMatching(/dropped/) });
    expect(lumen!.jobs).toMatchObject({ total: 2, byPhase: { succeeded: 1, failed: 1 } });
    const [failed, succeeded] = lumen!.jobs.recent;
    expect(failed).toMatchObject({ phase: 'failed', status: 'failed', failure: { code: 'upstream_error' }, charged: '4', unit: 'credits', outputs: 0, thumbnails: [] });
    expect(succeeded).toMatchObject({ phase: 'succeeded', status: 'succeeded', outputs: 1, thumbnails: [expect.stringMatching(/^\/_mock\/thumbnails\/lumen\//)] });
    expect(succeeded!.settledAt - succeeded!.createdAt).toBe(TIMING.queuedMs + TIMING.runningMs);
    expect(lumen!.money[0]?.workspaces).toContainEqual({ workspace: 'ws_100_credits', initial: '100', balance: '96', charged: '8', refunded: '4', charges: 2, refunds: 1 });

    const [delivery] = snapshot.webhooks.recent;
    expect(delivery).toMatchObject({ api: 'lumen', status: 'delivered', signature: { header: 'X-Lumen-Signature', verified: true, secret: 'whse…89' } });
    expect(delivery!.attempts.map((a) => [a.httpStatus, a.signatureValid])).toEqual([[500, true], [200, true]]);
    expect(snapshot.faults.fired).toEqual([expect.objectContaining({ api: 'lumen', operation: 'getTask', fault: 'reset' })]);

    const text = JSON.stringify(snapshot) + (await (await fetch(`${h.running.url}/_mock/`, { headers: { Accept: 'text/html' } })).text());
    for (const secret of [SECRET, KEYS.credits100, 'sk-lumen-not-a-key-at-all', KEYS.dev]) expect(text).not.toContain(secret);

    const detail = (await (await fetch(`${h.running.url}/_mock/requests/${requests[requests.length - 1]!.id}`)).json()) as RequestRecord;
    expectValid(validRequest, detail);
    expect(detail.request.headers.authorization).toBe('Bearer sk-l…ll');
    expect(detail.answer.body).toContain('invalid_api_key');

    const thumbnail = await fetch(`${h.running.url}${succeeded!.thumbnails[0]}`);
    expect(thumbnail.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await thumbnail.arrayBuffer());
    expect([png.readUInt32BE(16), png.readUInt32BE(20)].every((side) => side <= 128)).toBe(true);
  });
});

describe('the inspector keeps to its bounds', () => {
  it('keeps the last requestsPerApi requests of each API, newest first', async () => {
    const h = await startLumen({ inspector: { requestsPerApi: 3 }, apis: { lumixai: {} } });
    for (let i = 0; i < 5; i++) await h.lumen(`/v1/images/generations/task-${i}`);
    await h.call('/v1/images/jobs/nope');
    const snapshot = await snapshotOf(h.running.url);
    const lumen = snapshot.apis.find((api) => api.slug === 'lumen')!;
    expect(lumen.requests).toMatchObject({ kept: 3, capacity: 3 });
    expect(lumen.requests.recent.map((r) => r.path)).toEqual([4, 3, 2].map((i) => `/lumen/v1/images/generations/task-${i}`));
    expect(lumen.requests.recent[0]).toMatchObject({ status: 404, reason: expect.stringContaining('task task-4 not found') });
    expect(snapshot.apis.find((api) => api.slug === 'lumixai')!.requests.kept).toBe(1);
    expect((await fetch(`${h.running.url}/_mock/requests/${lumen.requests.recent[2]!.id.replace(/\d+$/, '1')}`)).status).toBe(404);
  });

  it('cuts bodies and masks secrets in what it keeps of a request', async () => {
    const h = await startLumen();
    const prompt = 'x'.repeat(5000);
    await h.lumen('/v1/images/generations', { json: { ...GENERATION, prompt, webhook_url: 'http://127.0.0.1:9/hook?token=abcdef123456', webhook_secret: SECRET } });
    const [summary] = (await snapshotOf(h.running.url, '?api=lumen')).apis[0]!.requests.recent;
    const detail = (await (await fetch(`${h.running.url}/_mock/requests/${summary!.id}`)).json()) as RequestRecord;
    expectValid(validRequest, detail);
    expect(detail.request.body!.length).toBeLessThanOrEqual(2001);
    expect(detail.request.body).toMatch(/…$/);
    const whole = JSON.stringify(detail);
    expect(whole).not.toContain(SECRET);
    expect(whole).not.toContain('abcdef123456');
  });

  it('keeps the head of a textual answer written in chunks, and only the size of a binary one', async () => {
    // A proxied answer arrives in chunks (res.write, then res.end); an image is one binary end().
    const long = { id: 'job_1', status: 'pending', note: 'y'.repeat(5000) };
    const vendor = await upstream(() => ({ status: 200, body: JSON.stringify(long) }));
    const proxy = await proxyTo(vendor.url);
    await (await fetch(`${proxy.base}/v1/images/jobs/job_1`, { headers: { 'X-API-Key': 'air_live_real_key_0123456789' } })).arrayBuffer();
    const [proxied] = (await snapshotOf(proxy.running.url, '?api=lumixai')).apis[0]!.requests.recent;
    const streamed = (await (await fetch(`${proxy.running.url}/_mock/requests/${proxied!.id}`)).json()) as RequestRecord;
    expect(streamed.answer).toMatchObject({ truncated: true, body: JSON.stringify(long).slice(0, 2000) });

    const h = await startMock();
    const created = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as { id: string };
    const job = (await (await h.call(`/v1/images/jobs/${created.id}`)).json()) as { data: Array<{ download_url: string }> };
    const image = Buffer.from(await (await h.call(job.data[0]!.download_url)).arrayBuffer());
    const [download] = (await snapshotOf(h.running.url, '?api=lumixai')).apis[0]!.requests.recent;
    expect(download).toMatchObject({ method: 'GET', status: 200, operation: expect.stringMatching(/download/i) });
    const detail = (await (await fetch(`${h.running.url}/_mock/requests/${download!.id}`)).json()) as RequestRecord;
    expect(detail.answer.body).toBe(`(${image.length} bytes of image/png)`);
    expect(detail.answer).not.toHaveProperty('truncated');
  });

  it('inspector: false records nothing and serves no page; the JSON views stay', async () => {
    const h = await startLumen({ inspector: false });
    await h.lumen('/v1/images/generations/abc');
    expect((await fetch(`${h.running.url}/_mock/`)).status).toBe(404);
    expect((await fetch(`${h.running.url}/_mock/webhooks`)).status).toBe(200);
  });

  it('answers HTML to a browser, JSON to anyone else, and leaves the other /_mock views as they were', async () => {
    const h = await startLumen();
    const browser = await fetch(`${h.running.url}/_mock/`, { headers: { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await browser.text()).toMatch(/<h1>Mock inspector<\/h1>/);
    expect((await fetch(`${h.running.url}/_mock`)).headers.get('content-type')).toMatch(/^application\/json/);
    for (const path of ['/_mock/webhooks', '/_mock/faults', '/_mock/drift', '/_mock/inferences']) {
      expect((await fetch(`${h.running.url}${path}`, { headers: { Accept: 'text/html' } })).headers.get('content-type'), path).toMatch(/^application\/json/);
    }
    expect(await (await fetch(`${h.running.url}/_mock/schema.json`)).json()).toEqual(JSON.parse(JSON.stringify(INSPECTOR_SCHEMA)));
  });

  it.each([
    ['?api=nope', /api must be one of/],
    ['?limit=0', /limit must be a whole number from 1 to 200/],
    ['?limit=201', /limit must be a whole number/],
    ['?api=lumen&api=lumixai', /give api once/],
  ])('refuses %s with a 400 naming the parameter', async (query, message) => {
    const h = await startLumen();
    const response = await fetch(`${h.running.url}/_mock/${query}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('the stream says `change` when what the filter shows changes, and not for another API', async () => {
    const h = await startLumen();
    const controller = new AbortController();
    const response = await fetch(`${h.running.url}/_mock/stream?api=lumen`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) received += decoder.decode((await reader.read()).value);
    };
    await until(/event: hello/);
    await h.call('/v1/images/jobs/other-api');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(received).not.toMatch(/event: change/);
    await h.lumen('/v1/images/generations/this-api');
    await until(/event: change/);
    controller.abort();
  });
});

describe('with 100,000 jobs', () => {
  it('the page and its JSON show counts and the newest jobs only, in bounded time', async () => {
    let store: { create(init: object): unknown } | undefined;
    const registry = APIS.map((descriptor) =>
      descriptor.slug !== 'lumen'
        ? descriptor
        : { ...descriptor, create: (config: never, ctx: ApiContext) => descriptor.create(config, { ...ctx, jobs: (options) => (store = ctx.jobs(options)) } as ApiContext) },
    );
    const h = await startLumen({ registry });
    // The real Lumen store, filled directly: 100k HTTP submissions would test the HTTP stack, not the page.
    const input = { mode: 'generation', model: 'gpt-image-2-low', prompt: 'a cute cat', n: 1, width: 1024, height: 1024, origin: h.running.url };
    for (let i = 0; i < 100_000; i++) {
      // Most settle at once (no timer each); one in a hundred is still queued or running.
      const timing = i % 100 === 0 ? { queuedMs: i % 200 === 0 ? 10_000 : 0, runningMs: 60_000 } : { queuedMs: 0, runningMs: 0 };
      store!.create({ owner: 'ws_bulk', input, timing, outcome: i % 10 === 1 ? 'failed' : 'succeeded', charged: 1 });
    }
    h.clock.advance(5000);
    await h.submit(GENERATION); // queued: Lumen's test timing

    const started = performance.now();
    const html = await (await fetch(`${h.running.url}/_mock/`, { headers: { Accept: 'text/html' } })).text();
    const htmlMs = performance.now() - started;
    const snapshot = await snapshotOf(h.running.url, '?api=lumen');
    const lumen = snapshot.apis[0]!;
    expect(lumen.jobs.total).toBe(100_001);
    expect(Object.values(lumen.jobs.byPhase).reduce((a, b) => a + b, 0)).toBe(100_001);
    expect(lumen.jobs.byPhase).toEqual({ queued: 501, running: 500, succeeded: 89_000, failed: 10_000, cancelled: 0 });
    expect(lumen.jobs.recent).toHaveLength(25);
    expect(lumen.jobs.recent[0]!.owner).not.toBe('ws_bulk'); // the newest, submitted last
    expect(html).toContain('100001 job(s)');
    expect(html.match(/<tr id="job-/g)).toHaveLength(25);
    expect(html.length).toBeLessThan(400_000);
    // Generous for a loaded 2-core machine; rendering all 100k rows takes far longer and weighs ~40 MB.
    expect(htmlMs).toBeLessThan(3000);
  });
});

describe('money and limits', () => {
  it("shows a key's rate window and what is left, and Luma Agents' charges in US dollars, exactly", async () => {
    const h = await startLumen({ apis: { lumixai: {}, 'luma-agents': { workspaces: [{ id: 'ws_team', credits: 1 }], keys: [{ key: 'luma-api-team-key', workspace: 'ws_team' }] } } });
    await h.call('/v1/images/jobs/none', { key: 'air_live_mock_rpm_2' });
    for (let i = 0; i < 3; i++) {
      const created = await fetch(`${h.running.baseUrl('luma-agents')}/generations`, { method: 'POST', headers: { Authorization: 'Bearer luma-api-team-key', 'Content-Type': 'application/json' }, body: JSON.stringify({ prompt: 'a lighthouse' }) });
      expect(created.status).toBe(201);
    }
    const snapshot = await snapshotOf(h.running.url);
    const lumixai = snapshot.apis.find((api) => api.slug === 'lumixai')!;
    expect(lumixai.rateLimits).toEqual([{ who: 'key air_…_2', limit: 2, remaining: 1, resetAt: h.clock.now() + 60_000 }]);
    const luma = snapshot.apis.find((api) => api.slug === 'luma-agents')!;
    expect(luma.money).toEqual([{ unit: 'USD', workspaces: [{ workspace: 'ws_team', initial: '1', balance: '0.8788', charged: '0.1212', refunded: '0', charges: 3, refunds: 0 }] }]);
    expect(luma.jobs.recent[0]).toMatchObject({ charged: '0.0404', unit: 'USD' });
    // The key filter narrows money and jobs to the key's workspace.
    const other = await snapshotOf(h.running.url, `?api=luma-agents&key=${encodeURIComponent('luma…ev')}`);
    expect(other.apis[0]!.jobs.total).toBe(0);
    expect(other.apis[0]!.money[0]!.workspaces).toEqual([]);
  });

  it('takes its setting from the config file, refusing a bad one by name', () => {
    expect(loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: '{"inspector":{"requestsPerApi":50}}' }).inspector).toEqual({ requestsPerApi: 50 });
    expect(loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: '{"inspector":false}' }).inspector).toBe(false);
    expect(() => loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: '{"inspector":{"requestsPerApi":-1}}' })).toThrow(/inspector/);
  });
});

describe('masking', () => {
  it.each([
    ['air_live_mock_dev', 'air_…ev'],
    ['Bearer sk-lumen-mock-dev', 'Bearer sk-l…ev'],
    ['short', '…'],
  ])('maskSecret(%j) is %j', (secret, masked) => {
    expect(maskSecret(secret)).toBe(masked);
  });

  it.each([
    ['{"webhook_secret":"your-secret-value","prompt":"a cat"}', '{"webhook_secret":"your…ue","prompt":"a cat"}'],
    ['{"url":"https://x/o.png?X-Amz-Signature=abcdef0123456789&X-Amz-Expires=60"}', '{"url":"https://x/o.png?X-Amz-Signature=abcd…89&X-Amz-Expires=60"}'],
    ['{"api_key":"lmz_0123456789abc', '{"api_key":"lmz_0123456789abc'], // cut before its closing quote: nothing to tell it ended
  ])('maskJsonText(%j)', (text, masked) => {
    expect(maskJsonText(text)).toBe(masked);
  });

  it('secretScrubber masks known keys quoted anywhere, longest first, and leaves short ones alone', () => {
    const scrub = secretScrubber(['sk-lumen-mock-dev', 'sk-lumen-mock-dev-2', 'k']);
    expect(scrub('keys accepted here: sk-lumen-mock-dev, sk-lumen-mock-dev-2 (k)')).toBe('keys accepted here: sk-l…ev, sk-l…-2 (k)');
  });
});

describe('in proxy mode', () => {
  it("lists a proxied API's requests with the vendor's answers", async () => {
    const vendor = await upstream(() => ({ status: 200, body: JSON.stringify({ id: 'job_1', status: 'pending' }) }));
    const proxy = await proxyTo(vendor.url);
    await fetch(`${proxy.base}/v1/images/jobs/job_1`, { headers: { 'X-API-Key': 'air_live_real_key_0123456789' } });
    const snapshot = await snapshotOf(proxy.running.url, '?api=lumixai');
    const [request] = snapshot.apis[0]!.requests.recent;
    expect(request).toMatchObject({ api: 'lumixai', method: 'GET', path: '/lumixai/api/backend/v1/images/jobs/job_1', status: 200 });
    const detail = (await (await fetch(`${proxy.running.url}/_mock/requests/${request!.id}`)).json()) as RequestRecord;
    expect(detail.answer.body).toContain('job_1');
    expect(JSON.stringify(detail)).not.toContain('air_live_real_key_0123456789');
  });

  it('counts the answers the proxy changed on purpose apart from drift', async () => {
    const job = { id: '8f0e6f5a-2f0c-4e55-9b1a-2f5c0f3c1d11', status: 'done', created: 1778956800, completed: 1778956830, usage: { image_count: 1 }, data: [{ download_url: '/v1/images/results/8f0e6f5a-2f0c-4e55-9b1a-2f5c0f3c1d11/download' }] };
    const vendor = await upstream(() => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(job) }));
    const proxy = await proxyTo(vendor.url);
    proxy.mock.faults.arm({ api: 'lumixai', operation: 'getImageJob', fault: 'job-outcome', outcome: 'failed', times: 2 });
    for (let i = 0; i < 3; i++) await (await fetch(`${proxy.base}/v1/images/jobs/${job.id}`, { headers: { 'X-API-Key': 'air_live_real_key_0123456789' } })).arrayBuffer();
    const snapshot = await snapshotOf(proxy.running.url);
    expect(snapshot.drift).toEqual({ differences: 0, invalidRequests: 0, injected: 2 });
    const page = await (await fetch(`${proxy.running.url}/_mock/`, { headers: { Accept: 'text/html' } })).text();
    expect(page).toContain('2 answer(s) changed on purpose by an armed job outcome');
  });
});
