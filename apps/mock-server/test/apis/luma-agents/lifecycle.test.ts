import type { GenerationFailureCode, GenerationState, Model } from '@imagegen/luma-agents';
import { LumaAgentsGenerationFailedError, createLumaAgentsClient } from '@imagegen/luma-agents';
import { describe, expect, it } from 'vitest';

import { HOUR, KEYS, PROMPT, TINY_PNG_BASE64, detailOf, specEnum, startLuma } from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FAILURE_CODES = specEnum<GenerationFailureCode>('GenerationFailureCode');

describe('Luma Agents generations: queued -> processing -> completed on the mock clock', () => {
  it('creation answers 201 with the queued generation, its defaults filled in and nothing else', async () => {
    const h = await startLuma({ timing: { queuedMs: 1000, runningMs: 4000 } });
    const created = await h.create();
    expect(created).toEqual({
      id: expect.stringMatching(UUID),
      created_at: new Date(h.clock.now()).toISOString(),
      model: 'uni-1',
      state: 'queued',
      type: 'image',
    });
  });

  it('creation answers queued even when jobs finish at once (instant timing); the first poll is completed', async () => {
    const h = await startLuma({ timing: 'instant' });
    const created = await h.create();
    expect(created.state).toBe('queued');
    const polled = await h.poll(created.id);
    expect(polled).toMatchObject({ id: created.id, state: 'completed', output: [{ type: 'image', url: expect.any(String) }] });
    expect(polled).not.toHaveProperty('failure_code');
  });

  it.each([
    { at: 0, state: 'queued' },
    { at: 999, state: 'queued' },
    { at: 1000, state: 'processing' },
    { at: 4999, state: 'processing' },
    { at: 5000, state: 'completed' },
  ] satisfies Array<{ at: number; state: GenerationState }>)('fixed timing (1 s queued, 4 s running): $state at $at ms', async ({ at, state }) => {
    const h = await startLuma({ timing: { queuedMs: 1000, runningMs: 4000 } });
    const created = await h.create({ model: 'uni-1-max', type: 'image_edit', source: { url: 'https://example.org/street.jpg' } });
    h.clock.advance(at);
    const polled = await h.poll(created.id);
    expect(polled).toMatchObject({ id: created.id, state, model: 'uni-1-max', type: 'image_edit', created_at: created.created_at });
    // Outputs are "populated on completion" only.
    expect(polled.output === undefined).toBe(state !== 'completed');
  });

  it('with realistic timing uni-1-max takes longer than uni-1', async () => {
    const h = await startLuma({ timing: 'realistic' });
    const models: Model[] = ['uni-1', 'uni-1-max'];
    const ids = await Promise.all(models.map(async (model) => (await h.create({ model })).id));
    const completedAt = new Map<Model, number>();
    const seen = new Map<Model, Set<GenerationState>>(models.map((model) => [model, new Set()]));
    for (let second = 0; second <= 300 && completedAt.size < models.length; second++) {
      for (const [index, model] of models.entries()) {
        const { state } = await h.poll(ids[index]!);
        seen.get(model)!.add(state);
        if (state === 'completed' && !completedAt.has(model)) completedAt.set(model, second);
      }
      h.clock.advance(1000);
    }
    expect(completedAt.get('uni-1')).toBeGreaterThan(5);
    expect(completedAt.get('uni-1-max')).toBeGreaterThan(completedAt.get('uni-1')!);
    for (const model of models) expect([...seen.get(model)!]).toEqual(['queued', 'processing', 'completed']);
  });
});

describe('Prefer: job-status=failed with any of the spec nine failure codes', () => {
  it('the spec lists nine failure codes', () => {
    expect(FAILURE_CODES).toHaveLength(9);
  });

  it.each(FAILURE_CODES)('job-error-code=%s: failed with that code and its own default reason', async (code) => {
    const h = await startLuma({ timing: { queuedMs: 0, runningMs: 2000 } });
    const created = await h.create({}, { prefer: `job-status=failed, job-error-code=${code}` });
    expect(created.state).toBe('queued');
    expect((await h.poll(created.id)).state).toBe('processing');
    h.clock.advance(2000);
    const failed = await h.poll(created.id);
    expect(failed).toEqual({ ...created, state: 'failed', failure_code: code, failure_reason: expect.any(String) });
    expect(failed.failure_reason!.length).toBeGreaterThan(10);
  });

  it.each([
    { prefer: 'job-status=failed', code: 'generation_failed', reason: /model error/i },
    { prefer: 'job-status=failed, job-error="GPU fell over, twice"', code: 'generation_failed', reason: /^GPU fell over, twice$/ },
    { prefer: 'job-status=failed, job-error-code=content_moderated, job-error="Prompt flagged"', code: 'content_moderated', reason: /^Prompt flagged$/ },
  ])('$prefer -> $code', async ({ prefer, code, reason }) => {
    const h = await startLuma();
    const created = await h.create({}, { prefer });
    const failed = await h.poll(created.id);
    expect(failed).toMatchObject({ state: 'failed', failure_code: code });
    expect(failed.failure_reason).toMatch(reason);
    expect(failed).not.toHaveProperty('output');
  });

  it('every failure reason the mock writes by default differs (each code says its own thing)', async () => {
    const h = await startLuma();
    const reasons = new Set<string>();
    for (const code of FAILURE_CODES) {
      const created = await h.create({}, { prefer: `job-status=failed, job-error-code=${code}` });
      reasons.add((await h.poll(created.id)).failure_reason!);
    }
    expect(reasons.size).toBe(FAILURE_CODES.length);
  });

  it.each([
    { prefer: 'job-status=failed, job-error-code=out_of_memory', detail: /out_of_memory is not a failure code of this API; use one of content_moderated, generation_failed/ },
    { prefer: 'job-status=error', detail: /job-status=error is not a final status of this API; use one of completed, failed/ },
    { prefer: 'job-status=completed, job-error-code=rate_limited', detail: /go with job-status=failed/ },
  ])('refuses $prefer with a 400 naming what it accepts', async ({ prefer, detail }) => {
    const h = await startLuma();
    const response = await h.luma('/generations', { json: { prompt: PROMPT }, headers: { Prefer: prefer } });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatch(detail);
  });

  it('the typed client raises the failure with failure_code and failure_reason', async () => {
    const h = await startLuma();
    const client = createLumaAgentsClient({
      apiKey: KEYS.dev,
      baseUrl: h.lumaBase,
      fetch: (input, init) => {
        const request = new Request(input, init);
        request.headers.set('Prefer', 'job-status=failed, job-error-code=image_too_large');
        return fetch(request);
      },
    });
    const created = await client.createGeneration({ prompt: PROMPT });
    const failure = await client.waitForGeneration(created.id, { intervalMs: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LumaAgentsGenerationFailedError);
    expect(failure).toMatchObject({ failureCode: 'image_too_large', failureReason: expect.stringMatching(/size limit/) });
  });
});

describe('image_ref items: every field optional, as the page lists them', () => {
  it('the typed client submits a reference with both url and data and gets a completed generation', async () => {
    const h = await startLuma({ timing: 'instant' });
    const client = createLumaAgentsClient({ apiKey: KEYS.dev, baseUrl: h.lumaBase });
    const created = await client.createGeneration({
      prompt: PROMPT,
      image_ref: [{ url: 'https://example.org/references/palette.jpg', data: TINY_PNG_BASE64, media_type: 'image/png' }, { url: 'https://example.org/b.jpg' }],
    });
    expect((await client.waitForGeneration(created.id, { intervalMs: 1 })).state).toBe('completed');
  });
});

describe('finding generations', () => {
  it.each([
    { name: 'an id no generation ever had', id: () => '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', key: KEYS.dev },
    { name: "another account's generation", id: (own: string) => own, key: KEYS.noBalance },
  ])('$name: 404 Generation not found', async ({ id, key }) => {
    const h = await startLuma();
    const own = await h.create();
    const response = await h.luma(`/generations/${id(own.id)}`, { key });
    expect(response.status).toBe(404);
    expect(await detailOf(response)).toMatch(/^Generation [0-9a-f-]{36} not found$/);
  });

  it('a generation stays known for 24 hours after it finished, then 404', async () => {
    const h = await startLuma();
    const created = await h.create();
    h.clock.advance(24 * HOUR - 1);
    expect((await h.poll(created.id)).state).toBe('completed');
    h.clock.advance(1);
    expect((await h.luma(`/generations/${created.id}`)).status).toBe(404);
  });

  it('mock.reset() forgets every generation', async () => {
    const h = await startLuma();
    const created = await h.create();
    h.mock.reset();
    expect((await h.luma(`/generations/${created.id}`)).status).toBe(404);
  });
});
