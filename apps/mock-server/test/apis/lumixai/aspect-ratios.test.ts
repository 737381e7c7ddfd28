// The page contradicts itself on aspect ratios (request table: nine; catalog entry: 5:4 and 4:5
// beside them). The spec accepts the union and the mock accepts a ratio exactly when the model's
// catalog entry lists it, so the catalog the mock serves and the requests it takes agree.
import { readFileSync } from 'node:fs';

import { LumixAIError, createLumixAIClient } from '@imagegen/lumixai';
import type { AspectRatio, Model } from '@imagegen/lumixai';
import { describe, expect, it } from 'vitest';

import { deref, loadSpec } from '../../../src/index.js';
import { DEV_KEY, startMock } from '../../harness.js';

const doc = loadSpec('lumixai');
const specRatios = deref<{ enum: AspectRatio[] }>(doc, doc.components!.schemas!.AspectRatio).enum;
const catalog = (JSON.parse(readFileSync(new URL('../../../data/lumixai/models.json', import.meta.url), 'utf8')) as { data: Model[] }).data;

describe('LumixAI aspect ratios: spec, catalog and mock agree', () => {
  it('the spec takes both documented lists: the request table and the catalog entry', () => {
    expect(specRatios).toEqual(expect.arrayContaining(['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '21:9', '9:21', '5:4', '4:5']));
  });

  it.each(catalog.map((model) => [model.slug, model] as const))('%s lists only ratios the spec accepts', (_slug, model) => {
    expect(specRatios).toEqual(expect.arrayContaining(model.aspect_ratios));
  });

  it.each(catalog.map((model) => [model.slug, model] as const))('%s: the typed client gets a job for each listed ratio and a validation_error for the others', async (_slug, model) => {
    const h = await startMock();
    const client = createLumixAIClient({ baseUrl: h.base, apiKey: DEV_KEY });
    const served = (await client.listModels()).find((entry) => entry.slug === model.slug);
    expect(served?.aspect_ratios).toEqual(model.aspect_ratios);
    for (const aspectRatio of specRatios) {
      const attempt = client.createJob({ model: model.slug, prompt: 'a lighthouse', aspectRatio });
      if (model.aspect_ratios.includes(aspectRatio)) {
        await expect(attempt, aspectRatio).resolves.toMatchObject({ status: 'pending' });
      } else {
        const error = await attempt.then(() => undefined, (caught: unknown) => caught);
        expect(error, aspectRatio).toBeInstanceOf(LumixAIError);
        expect((error as LumixAIError).status).toBe(400);
        expect((error as LumixAIError).message).toContain(model.slug);
      }
    }
  });

  it('the page\'s two extra ratios and its ninth request-table ratio reach the documented model', async () => {
    const h = await startMock();
    const client = createLumixAIClient({ baseUrl: h.base, apiKey: DEV_KEY });
    for (const aspectRatio of ['5:4', '4:5', '9:21'] as const) {
      const job = await client.createJob({ model: 'imagen-nano-banana-2-flash', prompt: 'a lighthouse', aspectRatio, resolution: '1k' });
      h.clock.advance(120_000);
      const done = await client.getJob(job.id);
      expect(done.status, aspectRatio).toBe('done');
    }
  });
});
