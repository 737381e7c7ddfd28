// LumozAI's refusals, as a stranger would provoke them: every one in the documented envelope, on
// its documented status, 422s worded like the documentation's Laravel example; never a 5xx.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMockServer, imageSize } from '../../../src/index.js';
import type { LumozRequest } from './harness.js';
import { HIDREAM_FORM, lumozError, startLumozAI } from './harness.js';

const TEST_CATALOG = fileURLToPath(new URL('../../fixtures/lumozai-models.json', import.meta.url));

describe('POST /run: bad parameters are a 422 with details field -> messages, worded as documented', () => {
  const { prompt: _prompt, ...withoutPrompt } = HIDREAM_FORM;
  const { model_id: _model, ...withoutModel } = HIDREAM_FORM;
  it.each<{ name: string; request: LumozRequest; details: Record<string, string[]>; message?: string }>([
    { name: 'no model_id (the documented example)', request: { form: withoutModel }, details: { model_id: ['The model_id field is required.'] } },
    { name: 'an empty model_id', request: { form: { ...HIDREAM_FORM, model_id: '' } }, details: { model_id: ['The model_id field is required.'] } },
    { name: 'no prompt', request: { form: withoutPrompt }, details: { prompt: ['The prompt field is required.'] } },
    { name: 'an empty prompt', request: { form: { ...HIDREAM_FORM, prompt: '' } }, details: { prompt: ['The prompt field is required.'] } },
    { name: 'guidance_scale not a number', request: { form: { ...HIDREAM_FORM, guidance_scale: 'high' } }, details: { guidance_scale: ['The guidance_scale field must be a number.'] } },
    { name: 'guidance_scale above its range', request: { form: { ...HIDREAM_FORM, guidance_scale: '99' } }, details: { guidance_scale: ['The guidance_scale field must not be greater than 20.'] } },
    { name: 'guidance_scale below its range', request: { form: { ...HIDREAM_FORM, guidance_scale: '-1' } }, details: { guidance_scale: ['The guidance_scale field must be at least 0.'] } },
    { name: 'num_inference_steps a decimal', request: { form: { ...HIDREAM_FORM, num_inference_steps: '30.5' } }, details: { num_inference_steps: ['The num_inference_steps field must be an integer.'] } },
    { name: 'num_inference_steps zero', request: { form: { ...HIDREAM_FORM, num_inference_steps: '0' } }, details: { num_inference_steps: ['The num_inference_steps field must be at least 1.'] } },
    { name: 'a parameter hidream-l1 does not take', request: { form: { ...HIDREAM_FORM, guidence_scale: '7' } }, details: { guidence_scale: ['The guidence_scale field is prohibited.'] } },
    {
      name: "several of the model's rules at once",
      request: { form: { ...HIDREAM_FORM, prompt: '', guidance_scale: '21', seed: '1' } },
      details: { prompt: ['The prompt field is required.'], guidance_scale: ['The guidance_scale field must not be greater than 20.'], seed: ['The seed field is prohibited.'] },
      message: 'The prompt field is required. (and 2 more errors)',
    },
    { name: 'a webhook that is no URL', request: { form: { ...HIDREAM_FORM, webhook: 'my server' } }, details: { webhook: ['The webhook field must be a valid URL.'] } },
    { name: 'a webhook that is not http(s)', request: { form: { ...HIDREAM_FORM, webhook: 'ftp://example.org/hook' } }, details: { webhook: ['The webhook field must be a valid URL.'] } },
    { name: 'JSON keeps strict types: guidance_scale as a string', request: { json: { ...HIDREAM_FORM, guidance_scale: '7.5', num_inference_steps: 30 } }, details: { guidance_scale: ['The guidance_scale field must be a number.'] } },
    { name: 'JSON: model_id a number', request: { json: { model_id: 5, prompt: 'x' } }, details: { model_id: ['The model_id field must be a string.'] } },
    { name: 'multipart: a parameter hidream-l1 does not take', request: { multipart: { ...HIDREAM_FORM, style: 'ink' } }, details: { style: ['The style field is prohibited.'] } },
  ])('$name', async ({ request, details, message }) => {
    const h = await startLumozAI();
    const answer = await h.post('/run', request);
    expect(answer.status).toBe(422);
    expect(lumozError(answer)).toEqual({ code: 'validation_error', message: message ?? Object.values(details)[0]![0], details });
  });

  it('a repeated form field (curl -d prompt=a -d prompt=b) is not a string', async () => {
    const h = await startLumozAI();
    const response = await fetch(`${h.api}/run`, {
      method: 'POST',
      headers: { Authorization: 'Bearer lmz_mock_dev', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'model_id=hidream-l1&prompt=a&prompt=b',
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ error: { details: { prompt: ['The prompt field must be a string.'] } } });
  });

  it('accepts every documented parameter in each media type, typed per media type', async () => {
    const h = await startLumozAI();
    const json = { ...HIDREAM_FORM, guidance_scale: 7.5, num_inference_steps: 30 };
    const statuses = await Promise.all([{ form: HIDREAM_FORM }, { multipart: HIDREAM_FORM }, { json }].map((request) => h.post('/run', request).then((a) => a.status)));
    expect(statuses).toEqual([200, 200, 200]);
  });
});

describe('POST /run and /check: every other refusal in the envelope on its documented status', () => {
  it.each<{ name: string; path?: string; method?: string; request: LumozRequest; status: number; code: string; message: RegExp }>([
    { name: 'an unknown model', request: { form: { ...HIDREAM_FORM, model_id: 'hidream-l2' } }, status: 404, code: 'model_not_found', message: /does not exist: hidream-l2/ },
    { name: 'a key whose plan has no model', request: { key: 'lmz_mock_no_models', form: HIDREAM_FORM }, status: 403, code: 'permission_denied', message: /may not run hidream-l1/ },
    { name: 'no key', request: { key: null, form: HIDREAM_FORM }, status: 401, code: 'authentication_failed', message: /Missing API key/ },
    { name: 'an unknown key', request: { key: 'lmz_live_guess', form: HIDREAM_FORM }, status: 401, code: 'authentication_failed', message: /Invalid API key/ },
    { name: 'a revoked key', request: { key: 'lmz_mock_revoked', form: HIDREAM_FORM }, status: 401, code: 'authentication_failed', message: /revoked/ },
    { name: 'a key in the wrong scheme', request: { key: null, headers: { Authorization: 'Basic bG1ael9tb2NrX2Rldjo=' }, form: HIDREAM_FORM }, status: 401, code: 'authentication_failed', message: /Missing API key/ },
    { name: 'Prefer: code=500', request: { form: HIDREAM_FORM, headers: { Prefer: 'code=500' } }, status: 500, code: 'internal_server_error', message: /Prefer: code=500/ },
    { name: 'Prefer: code=403 on /check', path: '/check', request: { form: { request_id: '212121212121212' }, headers: { Prefer: 'code=403' } }, status: 403, code: 'permission_denied', message: /Prefer/ },
    { name: 'Prefer: code=404 on /check (not documented there)', path: '/check', request: { form: { request_id: '212121212121212' }, headers: { Prefer: 'code=404' } }, status: 422, code: 'validation_error', message: /documented: 200, 401, 403, 422, 429, 500/ },
    { name: 'an endpoint LumozAI does not have', path: '/models', request: { form: {} }, status: 404, code: 'model_not_found', message: /No lumozai endpoint at POST \/models/ },
  ])('$name', async ({ path = '/run', request, status, code, message }) => {
    const h = await startLumozAI();
    const answer = await h.post(path, request);
    expect(answer.status).toBe(status);
    expect(lumozError(answer)).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it.each([
    { name: 'a body that is not JSON, sent as JSON', type: 'application/json', body: '{"model_id": ', details: { body: ['must be valid JSON'] } },
    { name: 'a text/plain body', type: 'text/plain', body: 'model_id=hidream-l1', details: { 'Content-Type': [expect.stringMatching(/^Unsupported Content-Type text\/plain;/)] } },
    { name: 'no body at all', type: undefined, body: undefined, details: { 'Content-Type': [expect.stringMatching(/^Unsupported Content-Type \(none\);/)] } },
    { name: 'a multipart body without a boundary', type: 'multipart/form-data', body: 'model_id=hidream-l1', details: { body: ['malformed multipart body'] } },
  ])('$name: 422 naming what is wrong', async ({ type, body, details }) => {
    const h = await startLumozAI();
    const response = await fetch(`${h.api}/run`, { method: 'POST', headers: { Authorization: 'Bearer lmz_mock_dev', ...(type ? { 'Content-Type': type } : {}) }, body });
    expect(response.status).toBe(422);
    const error = (await response.json()) as { success: boolean; error: { code: string; message: string; details: unknown } };
    expect(error).toMatchObject({ success: false, error: { code: 'validation_error', details } });
    if (type !== 'application/json' && !type?.startsWith('multipart')) {
      expect(error.error.message).toMatch(/send application\/x-www-form-urlencoded or multipart\/form-data or application\/json/);
    }
  });

  it('GET /run is refused in the envelope, naming the method to use', async () => {
    const h = await startLumozAI();
    const response = await fetch(`${h.api}/run`, { headers: { Authorization: 'Bearer lmz_mock_dev' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ success: false, error: { code: 'model_not_found', message: expect.stringMatching(/use POST/) } });
  });
});

describe('a replaced model catalog: each model checked against its own parameter list', () => {
  const catalog = { apis: { lumozai: { modelsFile: TEST_CATALOG } } };

  it.each<{ name: string; request: LumozRequest; status: number; details?: Record<string, string[]> }>([
    { name: "its own parameters, typed from the form by the model's list", request: { form: { model_id: 'sketch-fast', prompt: 'a cat', style: 'ink', seed: '42', tiled: 'true' } }, status: 200 },
    { name: 'its own parameters in JSON', request: { json: { model_id: 'sketch-fast', prompt: 'a cat', seed: 42, tiled: true } }, status: 200 },
    { name: 'JSON keeps strict types for its own parameters too', request: { json: { model_id: 'sketch-fast', prompt: 'a cat', seed: '42' } }, status: 422, details: { seed: ['The seed field must be an integer.'] } },
    { name: 'a value outside its enum', request: { form: { model_id: 'sketch-fast', prompt: 'a cat', style: 'oil' } }, status: 422, details: { style: ['The selected style is invalid.'] } },
    { name: 'a boolean that is not one', request: { form: { model_id: 'sketch-fast', prompt: 'a cat', tiled: 'yes' } }, status: 422, details: { tiled: ['The tiled field must be true or false.'] } },
    { name: 'a prompt longer than its maxLength', request: { form: { model_id: 'sketch-fast', prompt: 'a cat on a mat in the hat' } }, status: 422, details: { prompt: ['The prompt field must not be greater than 20 characters.'] } },
    { name: "another model's parameter", request: { form: { model_id: 'sketch-fast', prompt: 'a cat', guidance_scale: '7' } }, status: 422, details: { guidance_scale: ['The guidance_scale field is prohibited.'] } },
    { name: 'a model the replaced catalog does not have', request: { form: HIDREAM_FORM }, status: 404 },
  ])('$name', async ({ request, status, details }) => {
    const h = await startLumozAI(catalog);
    const answer = await h.post('/run', request);
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    if (details) expect(lumozError(answer).details).toEqual(details);
  });

  it("uses each model's output size and typical duration (realistic timing)", async () => {
    const h = await startLumozAI({ ...catalog, timing: 'realistic' });
    // sketch-fast takes a second, within the 5 s wait; slow-render ten minutes, beyond it.
    const pending = h.post('/run', { form: { model_id: 'sketch-fast', prompt: 'a cat' } });
    while (h.clock.pendingSleeps === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    h.clock.advance(1000);
    const fast = await pending;
    const output = (fast.body.data as { output: string }).output;
    expect(imageSize(Buffer.from(await (await fetch(output)).arrayBuffer()))).toEqual({ format: 'jpeg', width: 512, height: 384 });
    const slow = await h.post('/run', { form: { model_id: 'slow-render', prompt: 'a cat' } });
    expect(Object.keys(slow.body.data as object)).toEqual(['request_id']);
  });

  describe('a malformed catalog stops start-up with the reason', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'lumozai-catalog-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const model = { model_id: 'm', output_type: 'image', output_size: { width: 8, height: 8 }, typical_duration_ms: 10, parameters: {} };
    it.each([
      { name: 'not JSON', text: '{ models: [', error: /not readable JSON/ },
      { name: 'no models', text: '{"models": []}', error: /at least one model/ },
      { name: 'a parameter of an unknown type', text: JSON.stringify({ models: [{ ...model, parameters: { p: { type: 'file' } } }] }), error: /model m: parameter p: type must be one of/ },
      { name: 'a default that breaks its own rules', text: JSON.stringify({ models: [{ ...model, parameters: { p: { type: 'integer', maximum: 3, default: 4 } } }] }), error: /default breaks its own rules/ },
      { name: 'model_id declared as a parameter', text: JSON.stringify({ models: [{ ...model, parameters: { webhook: { type: 'string' } } }] }), error: /field of every run/ },
      { name: 'an output too large to render', text: JSON.stringify({ models: [{ ...model, output_size: { width: 9000, height: 8 } }] }), error: /larger than the mock renders/ },
      { name: 'a model listed twice', text: JSON.stringify({ models: [model, model] }), error: /listed twice/ },
    ])('$name', async ({ text, error }) => {
      const file = join(dir, 'models.json');
      await writeFile(file, text);
      expect(() => createMockServer({ apis: { lumozai: { modelsFile: file } } })).toThrow(error);
    });
  });
});
