import { createUseapiLumaClient } from '@imagegen/useapi-luma';
import type { AspectRatio, ImageJob, Resolution } from '@imagegen/useapi-luma';
import { describe, expect, it } from 'vitest';

import { ManualClock, imageSize } from '../../../src/index.js';
import { ASTRONAUT, JOB_ID, TIMING, TOKENS, errorOf, startUseapiMock } from './helpers.js';

describe('useapi.net Luma: one POST /images is a batch of four image jobs', () => {
  it('answers with a parent jobid and four image jobids in the documented format, on the account it chose', async () => {
    const h = await startUseapiMock({ clock: new ManualClock(Date.UTC(2026, 2, 26, 14, 5, 30, 123)) });
    const created = await h.create();
    expect(created).toMatchObject({ type: 'image', status: 'created', count: 4, created: '2026-03-26T14:05:30.123Z', request: ASTRONAUT });
    const ids = [created.jobid, ...created.jobids];
    expect(created.jobids).toHaveLength(4);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) {
      expect(id).toMatch(JOB_ID);
      // The page's `j0326140530123456789i`: the batch's time, then digits telling batches apart.
      expect(id).toMatch(/^j0326140530123\d{6}i-u12345-email:user@example\.com:[0-9a-f-]{36}-bot:luma$/);
    }
    expect(new Set(ids.map((id) => id.slice(0, 20))).size).toBe(1);
  });

  it('moves each image pending -> processing -> completed on the mock clock, and the batch created -> processing -> completed', async () => {
    const h = await startUseapiMock();
    const created = await h.create();
    const snapshot = async () => ({
      batch: (await h.job(created.jobid)).status,
      images: await Promise.all(created.jobids.map(async (jobid) => (await h.job(jobid)).status)),
    });
    const seen = [await snapshot()];
    h.clock.advance(TIMING.queuedMs);
    seen.push(await snapshot());
    h.clock.advance(TIMING.runningMs);
    seen.push(await snapshot());
    expect(seen).toEqual([
      { batch: 'created', images: ['pending', 'pending', 'pending', 'pending'] },
      { batch: 'processing', images: ['processing', 'processing', 'processing', 'processing'] },
      { batch: 'completed', images: ['completed', 'completed', 'completed', 'completed'] },
    ]);
    const done = await h.job(created.jobids[0]!);
    expect(done).toMatchObject({
      created: new Date(h.clock.now() - 3000).toISOString(),
      updated: new Date(h.clock.now()).toISOString(),
      response: { image: { media_type: 'image', width: 1920, height: 1080 } },
      credits: { dm_usage: expect.any(Number), dm_relaxed_usage: null },
    });
    expect(await h.job(created.jobid)).toMatchObject({ status: 'completed', response: null });
  });

  it.each([
    ['720p', '16:9', 1280, 720],
    ['1080p', '16:9', 1920, 1080],
    ['1080p', '9:16', 1080, 1920],
    ['720p', '21:9', 1680, 720],
    ['1080p', '1:1', 1080, 1080],
    ['720p', '3:4', 720, 960],
  ] as Array<[Resolution, AspectRatio, number, number]>)('%s %s: four different public JPEG URLs of %ix%i, served without a token', async (resolution, aspectRatio, width, height) => {
    const h = await startUseapiMock({ timing: 'instant' });
    const created = await h.create({ prompt: 'a lighthouse at dusk', resolution, aspect_ratio: aspectRatio });
    const urls: string[] = [];
    for (const jobid of created.jobids) {
      const job = await h.job(jobid);
      expect(job.response?.image).toMatchObject({ width, height });
      urls.push(job.response!.image.url);
    }
    expect(new Set(urls).size).toBe(4);
    for (const url of urls) {
      expect(url.startsWith(`${h.running.url}/useapi-luma/`)).toBe(true);
      const image = await fetch(url);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/jpeg');
      expect(imageSize(Buffer.from(await image.arrayBuffer()))).toEqual({ format: 'jpeg', width, height });
    }
  });

  it('serves no image before its job completed, nor for an id it never made', async () => {
    const h = await startUseapiMock();
    const created = await h.create();
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    const url = (await h.job(created.jobids[0]!)).response!.image.url;
    const other = (await startUseapiMock()).running.url;
    const pending = await h.create();
    const pendingUrl = url.replace(/[0-9a-f-]{36}(?=\/image\.jpg$)/, pending.jobids[0]!.split(':')[2]!.replace(/-bot$/, ''));
    for (const [label, target] of [
      ['a pending image', pendingUrl],
      ['an unknown uuid', url.replace(/[0-9a-f]{8}-/, '00000000-')],
      ['another server', url.replace(h.running.url, other)],
    ]) {
      const response = await fetch(target!);
      expect(response.status, label).toBe(404);
      expect((await errorOf(response)).error, label).toMatch(/No image/);
    }
  });

  it.each([
    ['raw, as the page examples send it', (id: string) => id],
    ['percent-encoded', (id: string) => encodeURIComponent(id)],
    ['only @ encoded', (id: string) => id.replace('@', '%40')],
  ])('GET and DELETE take job ids %s', async (_how, write) => {
    const h = await startUseapiMock();
    const created = await h.create();
    const polled = (await (await h.send(`/jobs/${write(created.jobids[0]!)}`)).json()) as ImageJob;
    expect(polled.jobid).toBe(created.jobids[0]);
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    const deleted = await h.send(`/jobs/${write(created.jobids[1]!)}`, { method: 'DELETE' });
    expect(await deleted.json()).toEqual({ jobid: created.jobids[1], deleted: true });
    const parent = await h.send(`/jobs/${write(created.jobid)}`, { method: 'DELETE' });
    expect(await parent.json()).toEqual({ jobid: created.jobid, deleted: true });
  });

  it.each([
    ['Prefer: job-status=failed', { Prefer: 'job-status=failed' }, ['failed', 'failed', 'failed', 'failed'], 'failed', 'Image generation failed'],
    ['... with job-error', { Prefer: 'job-status=failed, job-error="upstream said no"' }, ['failed', 'failed', 'failed', 'failed'], 'failed', 'upstream said no'],
    ['Prefer: failed-images=1', { Prefer: 'failed-images=1' }, ['completed', 'completed', 'completed', 'failed'], 'completed', 'Image generation failed'],
    ['Prefer: failed-images=3', { Prefer: 'failed-images=3' }, ['completed', 'failed', 'failed', 'failed'], 'completed', 'Image generation failed'],
    ['Prefer: failed-images=0', { Prefer: 'failed-images=0' }, ['completed', 'completed', 'completed', 'completed'], 'completed', undefined],
  ])('%s (%j): images end %j, the batch %s', async (_title, headers, imageStatuses, batchStatus, error) => {
    const h = await startUseapiMock({ timing: 'instant' });
    const created = await h.create(ASTRONAUT, { headers });
    const jobs = await Promise.all(created.jobids.map((jobid) => h.job(jobid)));
    expect(jobs.map((job) => job.status)).toEqual(imageStatuses);
    for (const job of jobs.filter((polled) => polled.status === 'failed')) expect(job).toMatchObject({ error, response: null });
    const batch = await h.job(created.jobid);
    expect(batch.status).toBe(batchStatus);
    expect(batch.error).toBe(batchStatus === 'failed' ? error : undefined);
  });

  it.each(['5', '-1', 'all'])('Prefer: failed-images=%s is refused, naming the range', async (value) => {
    const h = await startUseapiMock();
    const response = await h.send('/images', { json: ASTRONAUT, headers: { Prefer: `failed-images=${value}` } });
    expect(await errorOf(response)).toEqual({ status: 400, error: `Prefer: failed-images=${value} must be a number of images from 0 to 4` });
  });

  it('answers 404 for an id of this user it never made, 403 for an id or a job of another user', async () => {
    const h = await startUseapiMock();
    const mine = await h.create();
    const theirs = await h.create(ASTRONAUT, { token: TOKENS.oneSlot });
    const neverMade = mine.jobids[0]!.replace(/:[0-9a-f]{8}-/, ':00000000-');
    const otherUser = mine.jobids[0]!.replace('-u12345-', '-u99999-');
    for (const method of ['GET', 'DELETE']) {
      expect(await errorOf(await h.send(`/jobs/${neverMade}`, { method }))).toEqual({ status: 404, error: 'Job not found' });
      for (const id of [otherUser, theirs.jobid, theirs.jobids[0]!]) {
        expect(await errorOf(await h.send(`/jobs/${id}`, { method })), `${method} ${id}`).toEqual({ status: 403, error: 'Job does not belong to this user' });
      }
    }
  });

  it('forgets jobs after the job retention, and everything on reset()', async () => {
    const h = await startUseapiMock({ jobRetentionMs: 60_000 });
    const kept = await h.create();
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs + 59_999);
    expect((await h.job(kept.jobids[0]!)).status).toBe('completed');
    h.clock.advance(1);
    for (const id of [kept.jobid, kept.jobids[0]!]) expect((await h.send(`/jobs/${id}`)).status).toBe(404);

    const reset = await h.create();
    h.mock.reset();
    for (const id of [reset.jobid, reset.jobids[0]!]) expect((await h.send(`/jobs/${id}`)).status).toBe(404);
  });

  it('the typed client runs the whole life cycle: create, waitForBatch on mock time, every image URL a JPEG', async () => {
    const h = await startUseapiMock();
    const client = createUseapiLumaClient({ token: TOKENS.dev, baseUrl: h.api });
    const batch = await client.createImages(ASTRONAUT, {});
    const progress: string[] = [];
    const outcome = await client.waitForBatch(batch, {
      intervalMs: 1000,
      now: () => h.clock.now(),
      sleep: async (ms) => {
        h.clock.advance(ms);
      },
      onProgress: (update) => progress.push(`${update.type}:${update.jobid === batch.jobids[0] ? 'first' : 'other'}`),
    });
    expect(outcome.status).toBe('completed');
    expect(outcome.images.map((image) => image.outcome)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(progress.filter((line) => line.startsWith('settled'))).toHaveLength(4);
    for (const image of outcome.images) {
      if (image.outcome !== 'completed') throw new Error('not completed');
      expect(imageSize(Buffer.from(await (await fetch(image.url)).arrayBuffer()))).toEqual({ format: 'jpeg', width: 1920, height: 1080 });
    }
  });
});
