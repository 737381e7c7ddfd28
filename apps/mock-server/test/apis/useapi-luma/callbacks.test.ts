import type { ImageBatchCallback } from '@imagegen/useapi-luma';
import express from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';

import { listen } from '../../listen.js';
import { ASTRONAUT, TIMING, startUseapiMock } from './helpers.js';
import type { UseapiHarness } from './helpers.js';

/** A replyUrl receiver on 127.0.0.1:0 that keeps what it is sent. */
async function receiver() {
  const calls: Array<{ headers: IncomingHttpHeaders; body: ImageBatchCallback }> = [];
  const app = express();
  app.post('/luma', express.json(), (req, res) => {
    calls.push({ headers: req.headers, body: req.body as ImageBatchCallback });
    res.status(204).end();
  });
  const { url } = await listen(app);
  return { url: `${url}/luma`, calls };
}

/** Waits until `count` deliveries to `url` have been made, then returns their payloads in order. */
async function delivered(h: UseapiHarness, url: string, count: number): Promise<ImageBatchCallback[]> {
  await h.mock.webhooks.waitFor(() => h.mock.webhooks.list({ url }).filter((delivery) => delivery.status !== 'pending').length >= count);
  const deliveries = h.mock.webhooks.list({ api: 'useapi-luma', url });
  expect(deliveries.map((delivery) => [delivery.status, delivery.violation])).toEqual(deliveries.map(() => ['delivered', undefined]));
  return deliveries.map((delivery) => delivery.payload as ImageBatchCallback);
}

describe('useapi.net Luma replyUrl callbacks: the job record on submission and on completion or failure', () => {
  it('sends the created record, then the final one with the four images, replyRef passed back, unsigned', async () => {
    const h = await startUseapiMock();
    const hook = await receiver();
    const created = await h.create({ ...ASTRONAUT, replyUrl: hook.url, replyRef: 'order-1234' });
    const [submitted] = await delivered(h, hook.url, 1);
    expect(submitted).toEqual({ ...created, replyRef: 'order-1234' });

    await h.mock.webhooks.quiet();
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    const [, final] = await delivered(h, hook.url, 2);
    const images = await Promise.all(created.jobids.map((jobid) => h.job(jobid)));
    expect(final).toEqual({
      ...created,
      replyRef: 'order-1234',
      status: 'completed',
      updated: new Date(h.clock.now()).toISOString(),
      images,
    });
    expect(images.every((image) => image.status === 'completed' && image.response?.image.url)).toBe(true);

    expect(hook.calls.map((call) => call.body)).toEqual([submitted, final]);
    for (const { headers } of hook.calls) {
      expect(headers['content-type']).toBe('application/json');
      expect(Object.keys(headers).filter((name) => /signature|hmac|timestamp|webhook/i.test(name)), 'documented as unsigned').toEqual([]);
    }
  });

  it.each([
    ['one image failed: still completed', 'failed-images=1', 'completed', ['completed', 'completed', 'completed', 'failed'], undefined],
    ['every image failed: failed, with the reason', 'job-status=failed, job-error="GPU on fire"', 'failed', ['failed', 'failed', 'failed', 'failed'], 'GPU on fire'],
  ])('%s', async (_title, prefer, status, imageStatuses, error) => {
    const h = await startUseapiMock({ timing: 'instant' });
    const hook = await receiver();
    await h.create({ prompt: 'x', replyUrl: hook.url }, { headers: { Prefer: prefer } });
    const [, final] = await delivered(h, hook.url, 2);
    expect(final).toMatchObject({ status, ...(error ? { error } : {}) });
    expect(final!.images!.map((image) => image.status)).toEqual(imageStatuses);
    expect('error' in final!).toBe(error !== undefined);
    expect('replyRef' in final!, 'no replyRef was given').toBe(false);
  });

  it('deleting a running batch ends it: the final record says its images were stopped', async () => {
    const h = await startUseapiMock();
    const hook = await receiver();
    const created = await h.create({ prompt: 'x', replyUrl: hook.url, replyRef: 'r' });
    await delivered(h, hook.url, 1);
    await h.send(`/jobs/${created.jobid}`, { method: 'DELETE' });
    const [, final] = await delivered(h, hook.url, 2);
    expect(final).toMatchObject({ status: 'failed', error: `Deleted before it finished: DELETE /jobs/${created.jobid}`, replyRef: 'r' });
    expect(final!.images!.map((image) => image.status)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });

  it('a replyUrl outside the allowed networks is refused by the sender, not by POST /images', async () => {
    const h = await startUseapiMock({ timing: 'instant' });
    const response = await h.send('/images', { json: { prompt: 'x', replyUrl: 'http://203.0.113.7/luma' } });
    expect(response.status).toBe(200);
    const refused = await h.mock.webhooks.waitFor((delivery) => delivery.api === 'useapi-luma');
    expect(refused.status).toBe('refused');
  });

  it('no replyUrl, no callback', async () => {
    const h = await startUseapiMock({ timing: 'instant' });
    await h.create();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.mock.webhooks.list({ api: 'useapi-luma' })).toEqual([]);
  });
});
