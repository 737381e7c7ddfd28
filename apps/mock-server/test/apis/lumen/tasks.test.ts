import { describe, expect, it } from 'vitest';

import { imageSize } from '../../../src/index.js';
import { EDIT, GENERATION, INPAINT, KEYS, TIMING, lumenError, startLumen } from './support.js';

const SUBMITS = [
  { path: '/v1/images/generations', body: GENERATION },
  { path: '/v1/images/edits', body: EDIT },
  { path: '/v1/images/inpaint', body: INPAINT },
];

describe('Lumen tasks move queued -> processing -> succeeded on the mock clock', () => {
  it.each(SUBMITS)('$path: the id at once, then each status at its time, then n image URLs', async ({ path, body }) => {
    const h = await startLumen();
    const created = await h.lumen(path, { json: { ...body, n: 2 } });
    const answer = (await created.json()) as Record<string, unknown>;
    expect(created.status).toBe(200);
    expect(answer).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), status: 'queued', created: Math.floor(h.clock.now() / 1000) });
    const id = answer.id as string;

    const seen = [(await h.task(id)).status];
    h.clock.advance(TIMING.queuedMs);
    seen.push((await h.task(id)).status);
    h.clock.advance(TIMING.runningMs - 1);
    seen.push((await h.task(id)).status);
    h.clock.advance(1);
    const done = await h.task(id);
    seen.push(done.status);
    expect(seen).toEqual(['queued', 'processing', 'processing', 'succeeded']);
    expect(done.data).toEqual([0, 1].map((i) => ({ url: `${h.lumenBase}/images/${id}/${i}.png` })));
  });

  it.each([
    { size: undefined, resolution: undefined, width: 1024, height: 1024, why: 'default 1:1 at 1K' },
    { size: '16:9', resolution: undefined, width: 1024, height: 576, why: 'a ratio without a tier is 1K' },
    { size: '16:9', resolution: '2K', width: 2048, height: 1152, why: 'a ratio at 2K' },
    { size: '9:16', resolution: '4K', width: 2304, height: 4096, why: 'portrait at 4K' },
    { size: '3:1', resolution: '1K', width: 1024, height: 341, why: 'rounded' },
    { size: '1024x1024', resolution: undefined, width: 1024, height: 1024, why: 'pixels as asked' },
    { size: '1536x1024', resolution: undefined, width: 1536, height: 1024, why: 'pixels imply 2K, kept' },
    { size: '1536x1024', resolution: '1K', width: 1024, height: 683, why: 'pixels capped by the tier asked' },
    { size: '512x768', resolution: '2K', width: 512, height: 768, why: 'a tier caps, never enlarges' },
    { size: '8000x2000', resolution: undefined, width: 4096, height: 1024, why: 'capped at 4K, the largest tier' },
    { size: '1x9999', resolution: undefined, width: 1, height: 4096, why: 'never below one pixel' },
  ])('size $size, resolution $resolution: a real $width x $height PNG ($why)', async ({ size, resolution, width, height }) => {
    const h = await startLumen({ timing: 'instant' });
    const id = await h.submit({ ...GENERATION, ...(size && { size }), ...(resolution && { resolution }) });
    const task = await h.task(id);
    const [image] = task.data as Array<{ url: string }>;
    const response = await fetch(image!.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    expect(imageSize(bytes)).toEqual({ format: 'png', width, height });
  });

  it('each of the n images is its own file, served without a key, HEAD included', async () => {
    const h = await startLumen({ timing: 'instant' });
    const id = await h.submit({ ...GENERATION, n: 4 });
    const urls = ((await h.task(id)).data as Array<{ url: string }>).map((image) => image.url);
    expect(urls).toHaveLength(4);
    const files = await Promise.all(urls.map(async (url) => Buffer.from(await (await fetch(url)).arrayBuffer())));
    expect(new Set(files.map((file) => file.toString('base64'))).size).toBe(4);
    const head = await fetch(urls[0]!, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(files[0]!.length));
    expect(await head.text()).toBe('');
  });

  it('image URLs use the configured public URL, not the Host header', async () => {
    const h = await startLumen({ timing: 'instant', publicUrl: 'https://mock.example:8443/base' });
    const id = await h.submit(GENERATION);
    const response = await h.lumen(`/v1/images/generations/${id}`, { headers: { Host: 'evil.example' } });
    const task = (await response.json()) as { data: Array<{ url: string }> };
    expect(task.data[0]!.url).toBe(`https://mock.example:8443/base/lumen/images/${id}/0.png`);
  });

  it.each([
    { name: 'before it succeeded', wait: 0, file: '0.png' },
    { name: 'past n', wait: TIMING.queuedMs + TIMING.runningMs, file: '1.png' },
    { name: 'not a file name the mock serves', wait: TIMING.queuedMs + TIMING.runningMs, file: 'x.png' },
    { name: 'after the results expired', wait: TIMING.queuedMs + TIMING.runningMs + 3_600_000, file: '0.png' },
  ])('an image $name is a 404 in the Lumen envelope', async ({ wait, file }) => {
    const h = await startLumen();
    const id = await h.submit(GENERATION);
    h.clock.advance(wait);
    const response = await fetch(`${h.lumenBase}/images/${id}/${file}`);
    expect(await lumenError(response)).toMatchObject({ status: 404, code: 'invalid_request', message: expect.stringContaining(file) });
  });

  it.each([
    { name: 'an id that never existed', key: KEYS.dev, id: 'a1b2c3d4e5f6' },
    { name: "another workspace's task", key: KEYS.basic, id: undefined },
  ])('$name: 404 task_not_found', async ({ key, id }) => {
    const h = await startLumen({ timing: 'instant' });
    const own = await h.submit(GENERATION);
    const response = await h.lumen(`/v1/images/generations/${id ?? own}`, { key });
    expect(await lumenError(response)).toMatchObject({ status: 404, code: 'task_not_found', message: `task ${id ?? own} not found` });
  });

  it('a task is forgotten jobRetentionMs after it settles', async () => {
    const h = await startLumen({ jobRetentionMs: 60_000 });
    const id = await h.submit(GENERATION);
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs + 59_999);
    expect((await h.task(id)).status).toBe('succeeded');
    h.clock.advance(1);
    expect((await lumenError(await h.lumen(`/v1/images/generations/${id}`))).code).toBe('task_not_found');
  });
});

describe('Prefer: job-status chooses how a task ends, in Lumen status words', () => {
  it.each([
    { prefer: 'job-status=failed', status: 'failed', error: { code: 'upstream_error', message: expect.stringMatching(/refunded/) } },
    {
      prefer: 'job-status=failed, job-error-code=upstream_rate_limited, job-error="the provider said no, twice"',
      status: 'failed',
      error: { code: 'upstream_rate_limited', message: 'the provider said no, twice' },
    },
    { prefer: 'job-status=cancelled', status: 'cancelled', error: undefined },
    { prefer: 'job-status=succeeded', status: 'succeeded', error: undefined },
  ])('$prefer', async ({ prefer, status, error }) => {
    const h = await startLumen();
    const id = await h.submit(GENERATION, { headers: { Prefer: prefer } });
    expect((await h.task(id)).status).toBe('queued');
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    const task = await h.task(id);
    expect(task.status).toBe(status);
    expect(task.error).toEqual(error);
    expect('data' in task).toBe(status === 'succeeded');
  });

  it.each([
    { prefer: 'job-status=done', message: /use one of succeeded, failed, cancelled/ },
    { prefer: 'job-status=processing', message: /not a final status/ },
    { prefer: 'job-error-code=upstream_error', message: /go with Prefer: job-status/ },
    { prefer: 'job-status=cancelled, job-error="x"', message: /go with job-status=failed/ },
  ])('a wrong control ($prefer) is a 400 invalid_request naming the words Lumen uses', async ({ prefer, message }) => {
    const h = await startLumen();
    const response = await h.lumen('/v1/images/generations', { json: GENERATION, headers: { Prefer: prefer } });
    expect(await lumenError(response)).toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringMatching(message) });
  });
});

describe('reset()', () => {
  it('forgets tasks and cancels their settling, so a task failed before it refunds nothing after it', async () => {
    const h = await startLumen();
    // 100 credits, 4 per image: a 4-image task costs 16.
    const failing = await h.submit({ ...GENERATION, n: 4 }, { key: KEYS.credits100, headers: { Prefer: 'job-status=failed' } });
    h.mock.reset();
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    await new Promise((resolve) => setImmediate(resolve));
    expect((await lumenError(await h.lumen(`/v1/images/generations/${failing}`, { key: KEYS.credits100 }))).code).toBe('task_not_found');
    let accepted = 0;
    for (let i = 0; i < 10; i++) {
      const response = await h.lumen('/v1/images/generations', { key: KEYS.credits100, json: { ...GENERATION, n: 4 } });
      if (response.status !== 200) {
        expect((await lumenError(response)).code).toBe('insufficient_credits');
        break;
      }
      accepted++;
    }
    // 100 / 16: six tasks; a refund of the forgotten task would have paid for a seventh.
    expect(accepted).toBe(6);
  });
});
