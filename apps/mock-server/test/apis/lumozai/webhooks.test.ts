// The `webhook` of POST /run: the terminal check answer, POSTed through the shared dispatcher
// (retries on the mock clock, outbound address policy, delivery log), checked against the spec's
// callback schema.
import express from 'express';
import { describe, expect, it } from 'vitest';

import { CallbackSchemaCheck, loadSpec, settleOnManualClock } from '../../../src/index.js';
import { listen } from '../../listen.js';
import { HIDREAM_FORM, startLumozAI } from './harness.js';

/** A receiver on 127.0.0.1:0 answering each POST with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []) {
  const received: Array<{ body: unknown; contentType: string | undefined }> = [];
  const app = express();
  app.post('/hook', express.json(), (req, res) => {
    received.push({ body: req.body as unknown, contentType: req.headers['content-type'] });
    res.sendStatus(statuses.shift() ?? 200);
  });
  const { url } = await listen(app);
  return { url: `${url}/hook`, received };
}

describe('webhooks: the terminal check answer, sent when processing is complete', () => {
  it('sends the completed answer, exactly what POST /check then says, once the run is done', async () => {
    const hook = await receiver();
    const h = await startLumozAI({ timing: { queuedMs: 1000, runningMs: 9000 } });
    const id = await h.runId({ form: { ...HIDREAM_FORM, webhook: hook.url } });
    h.clock.advance(9999);
    await h.mock.webhooks.quiet();
    expect(h.mock.webhooks.list({ api: 'lumozai' })).toEqual([]);
    h.clock.advance(1);
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumozai');
    expect(delivery).toMatchObject({ status: 'delivered', url: hook.url, attempts: [expect.objectContaining({ httpStatus: 200 })] });
    const check = await h.post('/check', { form: { request_id: String(id) } });
    expect(hook.received).toEqual([{ body: check.body, contentType: 'application/json' }]);
    expect(check.body).toMatchObject({ success: true, data: { request_id: id, status: 'completed' } });
  });

  it('sends the failed answer (success: false) for a run that fails', async () => {
    const hook = await receiver();
    const h = await startLumozAI();
    const id = await h.runId({ form: { ...HIDREAM_FORM, webhook: hook.url }, headers: { Prefer: 'job-status=failed, job-error="NSFW content detected"' } });
    await h.mock.webhooks.waitFor((d) => d.api === 'lumozai');
    expect(hook.received.map((r) => r.body)).toEqual([{ success: false, data: { request_id: id, status: 'failed', error: 'NSFW content detected' } }]);
  });

  it('retries a receiver that fails, with backoff on the mock clock', async () => {
    const hook = await receiver([503, 500]);
    const h = await startLumozAI();
    await h.runId({ form: { ...HIDREAM_FORM, webhook: hook.url } });
    await settleOnManualClock(h.mock.webhooks, h.clock);
    const [delivery] = h.mock.webhooks.list({ api: 'lumozai' });
    expect(delivery?.status).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.httpStatus)).toEqual([503, 500, 200]);
    expect(hook.received).toHaveLength(3);
  });

  it('refuses, without sending, a webhook on an address outside the outbound policy; the run itself is unaffected', async () => {
    const h = await startLumozAI({ webhooks: { resolver: async () => [{ address: '93.184.215.14', family: 4 }] } });
    const answer = await h.post('/run', { form: { ...HIDREAM_FORM, webhook: 'https://example.org/lumozai/webhook' } });
    expect(answer.status).toBe(200);
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumozai');
    expect(delivery).toMatchObject({ status: 'refused', attempts: [] });
  });

  it('lists every delivery at /_mock/webhooks', async () => {
    const hook = await receiver();
    const h = await startLumozAI();
    await h.runId({ form: { ...HIDREAM_FORM, webhook: hook.url } });
    await h.mock.webhooks.waitFor((d) => d.api === 'lumozai');
    const log = (await (await fetch(`${h.running.url}/_mock/webhooks?api=lumozai`)).json()) as { deliveries: Array<{ api: string; url: string; status: string }> };
    expect(log.deliveries).toEqual([expect.objectContaining({ api: 'lumozai', url: hook.url, status: 'delivered' })]);
  });

  it("checks payloads against the spec's callback schema, which tells a good payload from a broken one", async () => {
    const hook = await receiver();
    const h = await startLumozAI();
    await h.runId({ form: { ...HIDREAM_FORM, webhook: hook.url } });
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumozai');
    expect(delivery.violation).toBeUndefined();
    const schema = new CallbackSchemaCheck(loadSpec('lumozai'));
    const sent = hook.received[0]!.body as { data: Record<string, unknown> };
    expect(schema.violation('runFinished', sent)).toBeUndefined();
    expect(schema.violation('runFinished', { ...sent, data: { ...sent.data, status: 'processing' } })).toMatch(/data/);
  });
});
