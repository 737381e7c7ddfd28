import { describe, expect, it } from 'vitest';

import { errorOf, startMock, validJob } from '../../harness.js';

const tinyPng = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** Each bad request, the field its message must name. All must be 400 validation_error. */
const badRequests: Array<{ name: string; path?: string; body?: unknown; raw?: string; contentType?: string; field: RegExp }> = [
  { name: 'missing prompt', body: { model: validJob.model }, field: /prompt/ },
  { name: 'missing model', body: { prompt: 'x' }, field: /model/ },
  { name: 'empty prompt', body: { ...validJob, prompt: '' }, field: /prompt/ },
  { name: 'aspectRatio outside the eleven values', body: { ...validJob, aspectRatio: '7:3' }, field: /aspectRatio.*1:1, 16:9/ },
  { name: 'aspectRatio the model lacks', body: { ...validJob, model: 'flux-kontext', aspectRatio: '5:4' }, field: /aspectRatio.*flux-kontext/ },
  { name: 'resolution outside the tiers', body: { ...validJob, resolution: '8k' }, field: /resolution/ },
  { name: 'seed of the wrong type', body: { ...validJob, seed: 'forty-two' }, field: /seed/ },
  { name: 'timeoutMs below 1', body: { ...validJob, timeoutMs: 0 }, field: /timeoutMs/ },
  { name: 'spaceId not a UUID', body: { ...validJob, spaceId: 'space-1' }, field: /spaceId/ },
  { name: 'two references (v1 allows one)', body: { ...validJob, references: [{ image: tinyPng }, { image: tinyPng }] }, field: /references/ },
  { name: 'reference not a data URI', body: { ...validJob, references: [{ image: 'https://example.com/a.png' }] }, field: /references\[0\]\.image/ },
  { name: 'reference placeholder left in', body: { ...validJob, references: [{ image: 'data:image/png;base64,$REFERENCE_IMAGE_BASE64', label: 'img1' }] }, field: /references\[0\]\.image/ },
  { name: 'unknown field (typo of aspectRatio)', body: { ...validJob, aspect_ratio: '16:9' }, field: /aspect_ratio/ },
  { name: 'unknown model slug', body: { ...validJob, model: 'dall-e-9' }, field: /model.*dall-e-9/ },
  { name: 'body is an array', body: [validJob], field: /body|type/ },
  { name: 'malformed JSON', raw: '{"model": "imagen-nano-banana-2-flash",', field: /not valid JSON/ },
  { name: 'form-encoded body', raw: 'model=x&prompt=y', contentType: 'application/x-www-form-urlencoded', field: /Content-Type|media type/i },
  { name: 'job id not a UUID', path: '/v1/images/jobs/123', field: /path parameter id/ },
  { name: 'result id not a UUID', path: '/v1/images/results/abc/download', field: /path parameter id/ },
  { name: 'unknown query parameter (the operation documents 400)', path: '/v1/images/jobs/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30?verbose=1', field: /verbose/ },
];

describe('LumixAI request validation', () => {
  it.each(badRequests)('$name -> 400 validation_error naming the field', async ({ path, body, raw, contentType, field }) => {
    const h = await startMock();
    const response = path
      ? await h.call(path)
      : await h.call('/v1/images/jobs', {
          method: 'POST',
          headers: { 'Content-Type': contentType ?? 'application/json' },
          body: raw ?? JSON.stringify(body),
        });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('validation_error');
    expect(error.message).toMatch(field);
  });

  it('accepts the documented inline reference', async () => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', {
      json: { model: 'flux-kontext', prompt: '@img1 in a cinematic product scene', aspectRatio: '1:1', resolution: '2k', references: [{ image: tinyPng, label: 'img1' }] },
    });
    expect(response.status).toBe(202);
  });

  it('ignores unknown query parameters where the spec documents no 400 (the public catalog)', async () => {
    const h = await startMock();
    const response = await h.call('/v1/models?verbose=1', { key: null });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
  });

  it('answers unknown paths and methods in the vendor envelope', async () => {
    const h = await startMock();
    const unknown = await h.call('/v1/images/nothing');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).type).toBe('resource_not_found_error');
    const wrongMethod = await h.call('/v1/images/jobs', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect((await errorOf(wrongMethod)).message).toMatch(/use POST/);
  });

  it('never answers 5xx or leaves the envelope, for a bounded batch of random bodies', async () => {
    const h = await startMock();
    let seed = 20260516;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const values = [null, true, 0, -1, 1.5, 2 ** 53, '', 'x', '16:9', '4k', 'imagen-nano-banana-2-flash', [], [{}], {}, { image: 1 }, '\u0000', 'é'.repeat(300)];
    const fields = ['model', 'prompt', 'aspectRatio', 'resolution', 'references', 'spaceId', 'timeoutMs', 'seed', 'extra'];
    const started = Date.now();
    let cases = 0;
    for (; cases < 150 && Date.now() - started < 10_000; cases++) {
      const body: Record<string, unknown> = random() < 0.7 ? { ...validJob } : {};
      for (let i = Math.floor(random() * 4); i > 0; i--) body[pick(fields)] = pick(values);
      const response = await h.call(pick(['/v1/images/jobs', '/v1/images/generations']), { json: body });
      expect(response.status, JSON.stringify(body)).toBeLessThan(500);
      if (response.status >= 400) expect((await errorOf(response)).type).toBe('validation_error');
      else await response.arrayBuffer();
    }
    expect(cases).toBeGreaterThanOrEqual(50);
  });
});
