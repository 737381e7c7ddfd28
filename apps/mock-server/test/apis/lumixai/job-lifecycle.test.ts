import { decode as decodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';

import { imageSize, readImageProvenance } from '../../../src/index.js';
import { startMock, validJob } from '../../harness.js';

type Job = { id: string; status: string; created: number; completed?: number; data?: Array<{ download_url: string }>; error?: string };

describe('LumixAI job life cycle on the server clock', () => {
  it('moves pending -> running -> done as the clock advances', async () => {
    const h = await startMock({ timing: { queuedMs: 1_000, runningMs: 5_000 } });
    const created = await h.call('/v1/images/jobs', { json: validJob });
    expect(created.status).toBe(202);
    const job = (await created.json()) as Job;
    expect(job).toMatchObject({ status: 'pending', created: Math.floor(h.clock.now() / 1000), usage: { image_count: 1 } });

    const poll = async () => (await (await h.call(`/v1/images/jobs/${job.id}`)).json()) as Job;
    expect((await poll()).status).toBe('pending');
    h.clock.advance(1_000);
    const running = await poll();
    expect(running.status).toBe('running');
    expect(running.data).toBeUndefined();
    h.clock.advance(4_999);
    expect((await poll()).status).toBe('running');
    h.clock.advance(1);
    const done = await poll();
    expect(done).toMatchObject({
      status: 'done',
      completed: job.created + 6,
      data: [{ download_url: `/v1/images/results/${job.id}/download` }],
    });
  });

  it('answers 404 for a result that is not ready yet', async () => {
    const h = await startMock({ timing: { queuedMs: 0, runningMs: 10_000 } });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as Job;
    const early = await h.call(`/v1/images/results/${id}/download`);
    expect(early.status).toBe(404);
    expect(((await early.json()) as { error: { message: string } }).error.message).toMatch(/running/);
  });

  it('holds the synchronous request open until the job finishes', async () => {
    const h = await startMock({ timing: { queuedMs: 500, runningMs: 20_000 } });
    let settled = false;
    const pending = h.call('/v1/images/generations', { json: validJob }).then((r) => {
      settled = true;
      return r;
    });
    await expect.poll(() => h.clock.pendingSleeps).toBeGreaterThan(0);
    h.clock.advance(20_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    h.clock.advance(500);
    const response = await pending;
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Array<{ download_url: string }> };
    const download = await h.call(body.data[0]!.download_url);
    expect(download.status).toBe(200);
  });

  it('uses each model\'s documented timing in realistic mode', async () => {
    const h = await startMock({ timing: 'realistic' });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as Job;
    // imagen-nano-banana-2-flash documents "~29s".
    h.clock.advance(28_999);
    expect(((await (await h.call(`/v1/images/jobs/${id}`)).json()) as Job).status).toBe('running');
    h.clock.advance(1);
    expect(((await (await h.call(`/v1/images/jobs/${id}`)).json()) as Job).status).toBe('done');
  });
});

describe('LumixAI downloads', () => {
  const sizes = [
    { model: 'imagen-nano-banana-2-flash', aspectRatio: '16:9', resolution: '2k', width: 2048, height: 1152 },
    { model: 'imagen-nano-banana-2-flash', aspectRatio: '9:16', resolution: '1k', width: 576, height: 1024 },
    { model: 'imagen-nano-banana-2-flash', aspectRatio: '1:1', resolution: '4k', width: 2048, height: 2048, why: 'capped at max_resolution 2k' },
    { model: 'imagen-nano-banana-2', aspectRatio: '21:9', resolution: '4k', width: 2048, height: 878, why: 'Nano Banana Pro caps at 2k' },
    { model: 'flux-kontext', aspectRatio: '9:21', resolution: '4k', width: 1755, height: 4096 },
    { model: 'flux-kontext', aspectRatio: undefined, resolution: undefined, width: 1024, height: 1024, why: 'model defaults 1:1 at 1k' },
  ];

  it.each(sizes)('$model $aspectRatio $resolution -> $width x $height', async ({ model, aspectRatio, resolution, width, height }) => {
    const h = await startMock();
    const response = await h.call('/v1/images/generations', { json: { model, prompt: 'a lighthouse', aspectRatio, resolution } });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Array<{ download_url: string }> };
    const download = await h.call(data[0]!.download_url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    const id = data[0]!.download_url.split('/')[4];
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="lumixai-${id}.png"`);
    expect(imageSize(new Uint8Array(await download.arrayBuffer()))).toEqual({ format: 'png', width, height });
  });

  async function imageFor(h: Awaited<ReturnType<typeof startMock>>, body: Record<string, unknown>): Promise<Buffer> {
    const { data } = (await (await h.call('/v1/images/generations', { json: body })).json()) as { data: Array<{ download_url: string }> };
    return Buffer.from(await (await h.call(data[0]!.download_url)).arrayBuffer());
  }

  it('gives the same pixels for the same prompt and seed, and different pixels otherwise; each file names its own job', async () => {
    const h = await startMock();
    const a = await imageFor(h, { ...validJob, resolution: '1k', seed: 7 });
    const b = await imageFor(h, { ...validJob, resolution: '1k', seed: 7 });
    const otherSeed = await imageFor(h, { ...validJob, resolution: '1k', seed: 8 });
    const otherPrompt = await imageFor(h, { ...validJob, resolution: '1k', seed: 7, prompt: 'a red bicycle' });
    const noSeed = await imageFor(h, { ...validJob, resolution: '1k' });
    const pixels = (png: Buffer) => {
      const { data, palette } = decodePng(png);
      return Buffer.concat([Buffer.from(data.buffer), Buffer.from(JSON.stringify(palette ?? []))]);
    };
    expect(pixels(a).equals(pixels(b))).toBe(true);
    expect(readImageProvenance(a)?.jobId).not.toBe(readImageProvenance(b)?.jobId);
    for (const other of [otherSeed, otherPrompt, noSeed]) expect(pixels(a).equals(pixels(other))).toBe(false);
  });

  it('expires results after the retention period ("download promptly")', async () => {
    const h = await startMock({ resultRetentionMs: 60_000, jobRetentionMs: 120_000 });
    const { id } = (await (await h.call('/v1/images/jobs', { json: validJob })).json()) as Job;
    h.clock.advance(59_999);
    expect((await h.call(`/v1/images/results/${id}/download`)).status).toBe(200);
    h.clock.advance(1);
    const expired = await h.call(`/v1/images/results/${id}/download`);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as { error: { type: string; message: string } }).error).toMatchObject({
      type: 'resource_not_found_error',
      message: expect.stringMatching(/expired/),
    });
    expect((await h.call(`/v1/images/jobs/${id}`)).status).toBe(200);
    h.clock.advance(60_000);
    expect((await h.call(`/v1/images/jobs/${id}`)).status).toBe(404);
  });
});
