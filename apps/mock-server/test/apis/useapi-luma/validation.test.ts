import { describe, expect, it } from 'vitest';

import { ASTRONAUT, errorOf, startUseapiMock } from './helpers.js';
import type { UseapiHarness } from './helpers.js';

const PARAMETERS = 'prompt, email, model, resolution, aspect_ratio, imageRef1, imageRef2, imageRef3, imageRef4, replyUrl, replyRef';

/** The same fields as JSON and as multipart/form-data. */
const ENCODINGS = {
  json: (h: UseapiHarness, fields: Record<string, string>) => h.send('/images', { json: fields }),
  multipart: (h: UseapiHarness, fields: Record<string, string>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    return h.send('/images', { method: 'POST', body: form });
  },
};

// Each message names the parameter, the value and what is allowed, as the page's example does.
const INVALID: Array<[string, Record<string, string>, string]> = [
  ['the page example', { prompt: 'x', model: 'invalid-model' }, 'Parameter model (invalid-model) valid values: photon-v2, image-v2'],
  ['a resolution', { prompt: 'x', resolution: '4k' }, 'Parameter resolution (4k) valid values: 720p, 1080p'],
  ['an aspect ratio', { prompt: 'x', aspect_ratio: '2:1' }, 'Parameter aspect_ratio (2:1) valid values: 9:16, 3:4, 1:1, 4:3, 16:9, 21:9'],
  ['no prompt', { model: 'photon-v2' }, 'Parameter prompt is required'],
  ['a prompt of 2001 characters', { prompt: 'a'.repeat(2001) }, `Parameter prompt (${'a'.repeat(57)}... (2001 characters)) must NOT have more than 2000 characters`],
  ['an unknown parameter', { prompt: 'x', seed: '42' }, `Parameter seed is not supported. Valid parameters: ${PARAMETERS}`],
  ['an email that is not one', { prompt: 'x', email: 'nobody' }, 'Parameter email (nobody) must be an email address'],
  ['a replyUrl that is not a URL', { prompt: 'x', replyUrl: 'hooks/luma' }, 'Parameter replyUrl (hooks/luma) must be an absolute URL'],
  ['a replyUrl of another scheme', { prompt: 'x', replyUrl: 'ftp://example.com/hook' }, 'Parameter replyUrl (ftp://example.com/hook) must be an http or https URL'],
  ['an imageRef that is not an assetRef', { prompt: 'x', imageRef1: 'face.png' }, 'Parameter imageRef1 (face.png) is not an assetRef (u<user>-email:<email>:<uuid>, from POST /assets/{email})'],
  ['two problems at once: the first is named', { prompt: 'x', model: 'flux', resolution: '8k' }, 'Parameter model (flux) valid values: photon-v2, image-v2'],
];

describe('useapi.net Luma validation: the page\'s wording, for JSON and multipart alike', () => {
  for (const [encoding, send] of Object.entries(ENCODINGS)) {
    it.each(INVALID)(`${encoding}: %s`, async (_title, fields, error) => {
      const h = await startUseapiMock();
      expect(await errorOf(await send(h, fields))).toEqual({ status: 400, error });
    });

    it(`${encoding}: the page's own body is accepted`, async () => {
      const h = await startUseapiMock();
      const response = await send(h, ASTRONAUT as Record<string, string>);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { request: unknown }).request).toEqual(ASTRONAUT);
    });
  }

  it.each([
    ['a prompt that is a number', { prompt: 5 }, 'Parameter prompt (5) must be string'],
    ['a model that is a list', { prompt: 'x', model: ['photon-v2'] }, 'Parameter model (["photon-v2"]) must be string'],
    ['a body that is a list', [ASTRONAUT], 'Request body ([{"prompt":"A photorealistic portrait of an astronaut on ... (127 characters)) must be a JSON object'],
  ])('JSON keeps strict types: %s', async (_title, body, error) => {
    const h = await startUseapiMock();
    expect(await errorOf(await h.send('/images', { json: body }))).toEqual({ status: 400, error });
  });

  it.each([
    ['malformed JSON', { 'Content-Type': 'application/json' }, '{"prompt": ', /^Request body is not valid JSON/],
    ['text/plain', { 'Content-Type': 'text/plain' }, 'prompt=x', /^Content-Type \(text\/plain\) not supported\. Valid: application\/json, multipart\/form-data$/],
    ['no body at all', {}, undefined, /^Content-Type \(none\) not supported\. Valid: application\/json, multipart\/form-data$/],
    ['a form-urlencoded body', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'prompt=x', /^Content-Type \(application\/x-www-form-urlencoded\) not supported/],
  ])('%s: a 400 naming what is wrong, never a 5xx', async (_title, headers, body, error) => {
    const h = await startUseapiMock();
    const answer = await errorOf(await h.send('/images', { method: 'POST', headers, body }));
    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(error);
  });

  it.each<[string, string, string, RequestInit & { json?: unknown }]>([
    ['JSON null', 'POST', '/images', { headers: { 'Content-Type': 'application/json' }, body: 'null' }],
    ['a JSON string', 'POST', '/images', { headers: { 'Content-Type': 'application/json' }, body: '"prompt"' }],
    ['a null prompt', 'POST', '/images', { json: { prompt: null } }],
    ['an empty prompt', 'POST', '/images', { json: { prompt: '' } }],
    ['a prompt field twice in multipart', 'POST', '/images', { body: (() => { const form = new FormData(); form.append('prompt', 'a'); form.append('prompt', 'b'); return form; })() }],
    ['a file where the prompt goes', 'POST', '/images', { body: (() => { const form = new FormData(); form.append('prompt', new Blob(['x']), 'prompt.txt'); return form; })() }],
    ['a multipart body without a boundary', 'POST', '/images', { headers: { 'Content-Type': 'multipart/form-data' }, body: 'prompt=x' }],
    ['an email with a path in it', 'POST', '/assets/a%2Fb@example.com', { headers: { 'Content-Type': 'image/png' }, body: 'x' }],
    ['an id with a slash in it', 'GET', '/jobs/j0326140530123456789i-u12345-email:a%2Fb@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma', {}],
    ['a query parameter nobody documents', 'GET', '/jobs/j0326140530123456789i-u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma?verbose=1', {}],
    ['PUT on a job', 'PUT', '/jobs/x', {}],
    ['an unknown endpoint', 'GET', '/videos', {}],
  ])("a stranger's request, %s: a 4xx in the vendor's { error } shape, never a 5xx", async (_title, method, path, init) => {
    const h = await startUseapiMock();
    const answer = await errorOf(await h.send(path, { method, ...init }));
    expect(answer.status, answer.error).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.error).toBeLessThan(500);
    expect(answer.error.length).toBeGreaterThan(0);
  });

  it.each([
    ['not a job id', 'nope'],
    ['a video job id', 'j0326140530123456789v-u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma'],
    ['an id without its email', 'j0326140530123456789i-u12345-email::a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma'],
    ['a timestamp too short (the spec pattern allows it)', 'j1i-u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma'],
    ['a month 13 (the spec pattern allows it)', 'j1326140530123456789i-u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma'],
  ])('GET and DELETE of %s: 400 Invalid jobid', async (_title, jobid) => {
    const h = await startUseapiMock();
    for (const method of ['GET', 'DELETE']) {
      expect(await errorOf(await h.send(`/jobs/${encodeURIComponent(jobid)}`, { method }))).toEqual({ status: 400, error: 'Invalid jobid' });
    }
  });

  it.each([
    ['the default list', undefined, 'A nude figure study', 'A figure study'],
    ['the default list, any case, a whole word', undefined, 'Scene with GORE', 'A gorge at sunrise'],
    ['a configured phrase', ['red balloon'], 'A  red   balloon over Paris', 'A red balloons festival'],
  ])('moderation, %s: the documented 422', async (_title, blockedWords, rejected, accepted) => {
    const h = await startUseapiMock(blockedWords ? { apis: { 'useapi-luma': { blockedWords } } } : {});
    expect(await errorOf(await h.send('/images', { json: { prompt: rejected } }))).toEqual({ status: 422, error: 'Content moderation: prompt rejected', code: 422 });
    expect((await h.send('/images', { json: { prompt: accepted } })).status).toBe(200);
  });

  it('an empty blockedWords list turns moderation off; Prefer: code=422 still answers it', async () => {
    const h = await startUseapiMock({ apis: { 'useapi-luma': { blockedWords: [] } } });
    expect((await h.send('/images', { json: { prompt: 'nsfw' } })).status).toBe(200);
    expect(await errorOf(await h.send('/images', { json: ASTRONAUT, headers: { Prefer: 'code=422' } }))).toEqual({
      status: 422,
      error: 'Simulated by Prefer: code=422',
      code: 422,
    });
  });

  // Issue 15 row 8: job-error-code was accepted and ignored, though a useapi.net failed job carries
  // only a message.
  it('Prefer: job-error-code is refused naming why; Preference-Applied names what took effect', async () => {
    const h = await startUseapiMock();
    const refused = await errorOf(await h.send('/images', { json: ASTRONAUT, headers: { Prefer: 'job-status=failed, job-error-code=anything' } }));
    expect(refused.status).toBe(400);
    expect(refused.error).toMatch(/job-error-code is not supported/);
    const applied = await h.send('/images', { json: ASTRONAUT, headers: { Prefer: 'job-status=failed' } });
    expect(applied.status).toBe(200);
    expect(applied.headers.get('preference-applied')).toBe('job-status=failed');
  });

  it.each([
    ['POST /images', '/images', 'POST', ['400', '401', '402', '422', '429', '596']],
    ['GET /jobs/{jobid}', '/jobs/x', 'GET', ['400', '401', '403', '404']],
    ['DELETE /jobs/{jobid}', '/jobs/x', 'DELETE', ['400', '401', '403', '404', '409']],
    ['POST /assets/{email}', '/assets/user@example.com', 'POST', ['400', '401', '404', '596']],
  ])('%s: Prefer: code=<status> gives each documented error body (code only on 422 and 429)', async (_title, path, method, statuses) => {
    const h = await startUseapiMock();
    for (const status of statuses) {
      const answer = await errorOf(await h.send(path, { method, headers: { Prefer: `code=${status}` } }));
      const code = status === '422' || status === '429' ? { code: Number(status) } : {};
      expect(answer).toEqual({ status: Number(status), error: `Simulated by Prefer: code=${status}`, ...code });
    }
  });
});
