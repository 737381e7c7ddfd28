// LumozAI runs: answered completed at once or by request_id alone, progress on the mock clock,
// request ids, the failed check answer, and the JPEG outputs the answers point at.
import { describe, expect, it } from 'vitest';

import { lumozai } from '../../../src/apis/lumozai/index.js';
import { imageSize } from '../../../src/index.js';
import type { LumozHarness } from './harness.js';
import { HIDREAM_FORM, lumozError, startLumozAI } from './harness.js';

const OUTPUT_URL = /^http:\/\/127\.0\.0\.1:\d+\/lumozai\/storage\/outputs\/image_(\d{15})\.jpg$/;

/** Resolves `pending` while moving the manual clock on once the request is waiting on it. */
async function whileWaiting<T>(h: LumozHarness, pending: Promise<T>, advanceMs: number): Promise<T> {
  const deadline = Date.now() + 5_000;
  while (h.clock.pendingSleeps === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
  h.clock.advance(advanceMs);
  return pending;
}

describe('POST /run: completed at once when the model finishes within the wait, else the request_id alone', () => {
  it.each([
    { name: 'instant timing (the in-process default)', timing: 'instant' as const, runWaitMs: undefined, prefer: undefined, completed: true, waitMs: 0 },
    { name: 'a 3 s run within the default 5 s wait: the request waits on the mock clock', timing: { queuedMs: 1000, runningMs: 2000 }, runWaitMs: undefined, prefer: undefined, completed: true, waitMs: 3000 },
    { name: 'a 10 s run beyond the default 5 s wait', timing: { queuedMs: 1000, runningMs: 9000 }, runWaitMs: undefined, prefer: undefined, completed: false, waitMs: 0 },
    { name: 'a 10 s run within a configured 20 s wait', timing: { queuedMs: 1000, runningMs: 9000 }, runWaitMs: 20_000, prefer: undefined, completed: true, waitMs: 10_000 },
    { name: 'a configured wait of 0: every run is answered by request_id', timing: 'instant' as const, runWaitMs: 0, prefer: undefined, completed: false, waitMs: 0 },
    { name: 'Prefer: respond-async', timing: 'instant' as const, runWaitMs: undefined, prefer: 'respond-async', completed: false, waitMs: 0 },
    { name: 'Prefer: wait=0', timing: 'instant' as const, runWaitMs: undefined, prefer: 'wait=0', completed: false, waitMs: 0 },
    { name: 'Prefer: wait=2 shorter than a 3 s run', timing: { queuedMs: 1000, runningMs: 2000 }, runWaitMs: undefined, prefer: 'wait=2', completed: false, waitMs: 0 },
    { name: 'Prefer: wait=60 cannot stretch the 5 s wait', timing: { queuedMs: 1000, runningMs: 9000 }, runWaitMs: undefined, prefer: 'wait=60', completed: false, waitMs: 0 },
  ])('$name', async ({ timing, runWaitMs, prefer, completed, waitMs }) => {
    const h = await startLumozAI({ timing, ...(runWaitMs === undefined ? {} : { apis: { lumozai: { runWaitMs } } }) });
    const started = h.clock.now();
    const pending = h.post('/run', { form: HIDREAM_FORM, headers: prefer ? { Prefer: prefer } : {} });
    const answer = waitMs > 0 ? await whileWaiting(h, pending, waitMs) : await pending;
    expect(answer.status).toBe(200);
    const data = (answer.body as { data: Record<string, unknown> }).data;
    if (completed) {
      expect(answer.body).toEqual({ success: true, data: { request_id: expect.any(Number), output: expect.stringMatching(OUTPUT_URL), output_type: 'image' } });
      expect(OUTPUT_URL.exec(data.output as string)?.[1]).toBe(String(data.request_id));
    } else {
      // The spec's "only request_id" answer has additionalProperties: false.
      expect(Object.keys(data)).toEqual(['request_id']);
    }
    expect(h.clock.now() - started).toBe(waitMs);
  });

  it('rejects a Prefer: wait that is not whole seconds, in the vendor envelope, starting no run', async () => {
    const h = await startLumozAI();
    const answer = await h.post('/run', { form: HIDREAM_FORM, headers: { Prefer: 'wait=soon' } });
    expect(answer.status).toBe(422);
    expect(lumozError(answer)).toMatchObject({ code: 'validation_error', details: { Prefer: [expect.stringMatching(/whole number of seconds/)] } });
  });
});

// Tools that drive every API alike (the conformance runner) read the descriptor's submitWaitMs to
// make a job outlast the submission's wait, so that it has to be polled: it must be the wait a run
// really gets with default settings.
describe("the descriptor's submitWaitMs is the wait a run gets with default settings", () => {
  it.each([
    { name: 'a run that ends exactly at submitWaitMs is answered completed, after that wait', extraMs: 0, completed: true },
    { name: 'a run 1 ms longer is answered by request_id at once', extraMs: 1, completed: false },
  ])('$name', async ({ extraMs, completed }) => {
    const waitMs = lumozai.submitWaitMs ?? 0;
    expect(waitMs, 'LumozAI documents a synchronous wait').toBeGreaterThan(1000);
    const h = await startLumozAI({ timing: { queuedMs: 1000, runningMs: waitMs - 1000 + extraMs } });
    const started = h.clock.now();
    const pending = h.post('/run', { form: HIDREAM_FORM });
    const answer = completed ? await whileWaiting(h, pending, waitMs) : await pending;
    expect(answer.status).toBe(200);
    const data = (answer.body as { data: Record<string, unknown> }).data;
    expect(Object.keys(data).sort()).toEqual(completed ? ['output', 'output_type', 'request_id'] : ['request_id']);
    expect(h.clock.now() - started).toBe(completed ? waitMs : 0);
  });
});

describe('POST /check: processing with progress 0-100 on the mock clock, then completed', () => {
  it('moves from processing to completed as the clock moves, progress never going back', async () => {
    const h = await startLumozAI({ timing: { queuedMs: 1000, runningMs: 10_000 } });
    const id = await h.runId();
    const seen: Array<[string, number | undefined]> = [];
    for (const step of [0, 1000, 2500, 5000, 2499, 1, 5000]) {
      h.clock.advance(step);
      const answer = await h.post('/check', { form: { request_id: String(id) } });
      expect(answer.status).toBe(200);
      const data = answer.body.data as { status: string; progress?: number };
      seen.push([data.status, data.progress]);
    }
    expect(seen).toEqual([
      ['processing', 0],
      ['processing', 0],
      ['processing', 25],
      ['processing', 75],
      ['processing', 99],
      ['completed', undefined],
      ['completed', undefined],
    ]);
  });

  it('answers a completed run with the output the run would have given, and its output_type', async () => {
    const h = await startLumozAI({ timing: { queuedMs: 0, runningMs: 60_000 } });
    const id = await h.runId();
    h.clock.advance(60_000);
    const answer = await h.post('/check', { form: { request_id: String(id) } });
    expect(answer.body).toEqual({ success: true, data: { request_id: id, status: 'completed', output: expect.stringMatching(OUTPUT_URL), output_type: 'image' } });
  });

  it('answers a failed run with HTTP 200, success: false and the reason in data.error', async () => {
    const h = await startLumozAI({ timing: { queuedMs: 0, runningMs: 1000 } });
    const defaults = await h.runId({ form: HIDREAM_FORM, headers: { Prefer: 'job-status=failed' } });
    const chosen = await h.runId({ form: HIDREAM_FORM, headers: { Prefer: 'job-status=failed, job-error="GPU out of memory"' } });
    h.clock.advance(1000);
    const answers = await Promise.all([defaults, chosen].map((id) => h.post('/check', { form: { request_id: String(id) } })));
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
      [200, { success: false, data: { request_id: defaults, status: 'failed', error: 'Model execution failed due to invalid parameters' } }],
      [200, { success: false, data: { request_id: chosen, status: 'failed', error: 'GPU out of memory' } }],
    ]);
  });

  it('answers a run that will fail with its request_id alone, even when it would finish within the wait', async () => {
    const h = await startLumozAI();
    const answer = await h.post('/run', { form: HIDREAM_FORM, headers: { Prefer: 'job-status=failed' } });
    expect(answer.body).toEqual({ success: true, data: { request_id: expect.any(Number) } });
  });

  it('refuses Prefer: job-status words LumozAI does not use, naming the ones it does', async () => {
    const h = await startLumozAI();
    const answer = await h.post('/run', { form: HIDREAM_FORM, headers: { Prefer: 'job-status=error' } });
    expect(answer.status).toBe(422);
    expect(lumozError(answer).message).toMatch(/use one of completed, failed/);
  });
});

describe('request_id: 15 digits, exact, and only the owner sees the run', () => {
  it('hands out distinct 15-digit ids below 2^53', async () => {
    const h = await startLumozAI();
    const ids = await Promise.all(Array.from({ length: 40 }, () => h.runId()));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(Number.isSafeInteger(id)).toBe(true);
      expect(String(id)).toMatch(/^[1-9]\d{14}$/);
    }
  });

  it.each([
    { name: 'a form value (curl -d)', request: (id: number) => ({ form: { request_id: String(id) } }) },
    { name: 'a multipart value (PHP array)', request: (id: number) => ({ multipart: { request_id: String(id) } }) },
    { name: 'a JSON number', request: (id: number) => ({ json: { request_id: id } }) },
  ])('finds the run by $name, every digit kept', async ({ request }) => {
    const h = await startLumozAI();
    const id = await h.runId();
    const answer = await h.post('/check', request(id));
    expect(answer.status).toBe(200);
    expect((answer.body.data as { request_id: number }).request_id).toBe(id);
  });

  it.each([
    { name: 'one digit off', request: (id: number) => ({ form: { request_id: String(id + 1) } }), message: 'The selected request_id is invalid.' },
    { name: 'the documented example id', request: () => ({ form: { request_id: '212121212121212' } }), message: 'The selected request_id is invalid.' },
    { name: 'a JSON string (JSON keeps strict types)', request: (id: number) => ({ json: { request_id: String(id) } }), message: 'The request_id field must be an integer.' },
    { name: 'a decimal', request: (id: number) => ({ form: { request_id: `${id}.5` } }), message: 'The request_id field must be an integer.' },
    { name: 'beyond 2^53', request: () => ({ form: { request_id: '9007199254740993' } }), message: 'The request_id field must be an integer.' },
    { name: 'zero', request: () => ({ form: { request_id: '0' } }), message: 'The request_id field must be at least 1.' },
    { name: 'nothing', request: () => ({ form: {} }), message: 'The request_id field is required.' },
  ])('refuses $name with the Laravel-style 422', async ({ request, message }) => {
    const h = await startLumozAI();
    const id = await h.runId();
    const answer = await h.post('/check', request(id));
    expect(answer.status).toBe(422);
    expect(lumozError(answer)).toEqual({ code: 'validation_error', message, details: { request_id: [message] } });
  });

  it("treats another workspace's id as unknown, and shares ids within a workspace", async () => {
    const keys = [
      { key: 'team-a-1', workspace: 'team-a' },
      { key: 'team-a-2', workspace: 'team-a' },
      { key: 'team-b', workspace: 'team-b' },
    ];
    const h = await startLumozAI({ apis: { lumozai: { keys } } });
    const id = await h.runId({ form: HIDREAM_FORM, key: 'team-a-1' });
    const statuses = await Promise.all(keys.map(({ key }) => h.post('/check', { key, form: { request_id: String(id) } }).then((a) => a.status)));
    expect(statuses).toEqual([200, 200, 422]);
  });

  it('forgets runs at reset() and once jobRetentionMs has passed', async () => {
    const h = await startLumozAI({ jobRetentionMs: 60_000 });
    const kept = await h.runId();
    h.clock.advance(60_000);
    expect((await h.post('/check', { form: { request_id: String(kept) } })).status).toBe(422);
    const reset = await h.runId();
    h.mock.reset();
    expect((await h.post('/check', { form: { request_id: String(reset) } })).status).toBe(422);
  });
});

describe('outputs: JPEG files at /lumozai/storage/outputs/<file>.jpg, like the documented URLs', () => {
  async function completedOutput(h: LumozHarness, form: Record<string, string> = HIDREAM_FORM): Promise<string> {
    const answer = await h.post('/run', { form });
    return (answer.body.data as { output: string }).output;
  }

  it('serves a real 1024x1024 baseline JPEG without any key, the same bytes each time', async () => {
    const h = await startLumozAI();
    const output = await completedOutput(h);
    const first = await fetch(output);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await first.arrayBuffer());
    expect(first.headers.get('content-length')).toBe(String(bytes.length));
    expect(imageSize(bytes)).toEqual({ format: 'jpeg', width: 1024, height: 1024 });
    expect(Buffer.from(await (await fetch(output)).arrayBuffer()).equals(bytes)).toBe(true);
    const head = await fetch(output, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(bytes.length), 0]);
  });

  it('draws each run its own image (its id is in the label and the seed)', async () => {
    const h = await startLumozAI();
    const [a, b] = [await completedOutput(h), await completedOutput(h)];
    const [bytesA, bytesB] = await Promise.all([a, b].map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
    expect(bytesA!.equals(bytesB!)).toBe(false);
  });

  it.each([
    { name: 'a run still processing', path: async (h: LumozHarness) => `image_${await h.runId({ form: HIDREAM_FORM, headers: { Prefer: 'respond-async' } })}.jpg`, timing: { queuedMs: 0, runningMs: 60_000 }, message: /still processing/ },
    { name: 'a failed run', path: async (h: LumozHarness) => `image_${await h.runId({ form: HIDREAM_FORM, headers: { Prefer: 'job-status=failed' } })}.jpg`, timing: 'instant' as const, message: /failed/ },
    { name: 'an id no run has', path: async () => 'image_212121212121212.jpg', timing: 'instant' as const, message: /No output/ },
    { name: 'another file name', path: async () => 'image_12345.png', timing: 'instant' as const, message: /No output/ },
  ])('answers 404 in the vendor envelope for $name', async ({ path, timing, message }) => {
    const h = await startLumozAI({ timing });
    const file = await path(h);
    h.clock.advance(0);
    const response = await fetch(`${h.running.url}/lumozai/storage/outputs/${file}`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { success: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ success: false, error: { code: 'model_not_found', message: expect.stringMatching(message) } });
  });

  it('expires outputs after resultRetentionMs (the check still names the URL)', async () => {
    const h = await startLumozAI({ resultRetentionMs: 60_000 });
    const output = await completedOutput(h);
    h.clock.advance(60_000);
    const response = await fetch(output);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });

  it('builds output URLs on the configured public URL', async () => {
    const h = await startLumozAI({ publicUrl: 'https://mock.example:8443/base/' });
    const output = await completedOutput(h);
    expect(output).toMatch(/^https:\/\/mock\.example:8443\/base\/lumozai\/storage\/outputs\/image_\d{15}\.jpg$/);
  });
});
