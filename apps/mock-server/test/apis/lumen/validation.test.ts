import { describe, expect, it } from 'vitest';

import { listOperations, loadSpec, lumenErrorCodeOf, lumenErrorCodesOf } from '../../../src/index.js';
import { EDIT, GENERATION, INPAINT, hookReceiver, lumenError, startLumen } from './support.js';

const doc = loadSpec('lumen');

/** A raw request: a JSON body unless `raw` (with its Content-Type) is given. */
interface BadRequest {
  name: string;
  path: string;
  json?: unknown;
  raw?: { body: string; type: string };
  code?: string;
  message: RegExp | string;
}

const GEN = '/v1/images/generations';

const BAD_REQUESTS: BadRequest[] = [
  { name: 'model missing', path: GEN, json: { prompt: 'x' }, message: "model: must have required property 'model'" },
  { name: 'prompt missing', path: GEN, json: { model: GENERATION.model }, message: "prompt: must have required property 'prompt'" },
  { name: 'empty prompt', path: GEN, json: { ...GENERATION, prompt: '' }, message: 'prompt: must NOT have fewer than 1 characters' },
  { name: 'model a number', path: GEN, json: { ...GENERATION, model: 42 }, message: 'model: must be string' },
  { name: 'n is 0', path: GEN, json: { ...GENERATION, n: 0 }, message: 'n: must be >= 1' },
  { name: 'n is 5', path: GEN, json: { ...GENERATION, n: 5 }, message: 'n: must be <= 4' },
  { name: 'n a string', path: GEN, json: { ...GENERATION, n: '2' }, message: 'n: must be integer' },
  { name: 'n a fraction', path: GEN, json: { ...GENERATION, n: 1.5 }, message: 'n: must be integer' },
  { name: 'size neither pixels nor a ratio', path: GEN, json: { ...GENERATION, size: 'large' }, message: /^size: must match pattern/ },
  { name: 'size with a zero side', path: GEN, json: { ...GENERATION, size: '0x1024' }, message: /^size: must match pattern/ },
  { name: 'resolution in lower case', path: GEN, json: { ...GENERATION, resolution: '2k' }, message: 'resolution: must be equal to one of the allowed values: 1K, 2K, 4K' },
  { name: 'an unknown field', path: GEN, json: { ...GENERATION, seed: 7 }, message: /must NOT have additional properties/ },
  { name: 'a reference image URL that is not http(s) on the text-to-image endpoint', path: GEN, json: { ...GENERATION, image: 'ftp://your.img/cat.png' }, message: /^image: must match pattern/ },
  {
    name: 'webhook_url without webhook_secret',
    path: GEN,
    json: { ...GENERATION, webhook_url: 'https://your.app/callback' },
    code: 'webhook_secret_required',
    message: 'webhook_secret: must have property webhook_secret when property webhook_url is present',
  },
  { name: 'an ftp webhook_url', path: GEN, json: { ...GENERATION, webhook_url: 'ftp://your.app/cb', webhook_secret: 's' }, message: /^webhook_url: must match pattern/ },
  { name: 'an empty webhook_secret', path: GEN, json: { ...GENERATION, webhook_url: 'https://your.app/cb', webhook_secret: '' }, message: /^webhook_secret: must NOT have fewer than 1/ },
  // Issue 15 row 10: a JSON value that is not an object is told so.
  { name: 'a JSON array', path: GEN, json: [GENERATION], message: 'body: must be a JSON object' },
  { name: 'JSON null', path: GEN, raw: { body: 'null', type: 'application/json' }, message: 'body: must be a JSON object' },
  { name: 'a JSON number', path: GEN, raw: { body: '1', type: 'application/json' }, message: 'body: must be a JSON object' },
  { name: 'malformed JSON', path: GEN, raw: { body: '{"model": ', type: 'application/json' }, message: /^Request body is not valid JSON/ },
  { name: 'a form body', path: GEN, raw: { body: 'model=gpt-image-2-low&prompt=cat', type: 'application/x-www-form-urlencoded' }, message: /^Unsupported Content-Type/ },
  { name: 'plain text', path: GEN, raw: { body: JSON.stringify(GENERATION), type: 'text/plain' }, message: /^Unsupported Content-Type/ },
  { name: 'no body', path: GEN, raw: { body: '', type: 'application/json' }, message: /^model: must have required property 'model'/ },
  { name: 'an edit without any image', path: '/v1/images/edits', json: { model: EDIT.model, prompt: EDIT.prompt }, message: 'image_urls or image: one of them is required' },
  { name: 'an edit with an image but no prompt', path: '/v1/images/edits', json: { model: EDIT.model, image: 'https://your.img/cat.png' }, message: "prompt: must have required property 'prompt'" },
  { name: 'an empty image_urls', path: '/v1/images/edits', json: { ...EDIT, image_urls: [] }, message: 'image_urls: must NOT have fewer than 1 items' },
  { name: 'a javascript: URL', path: '/v1/images/edits', json: { ...EDIT, image_urls: ['javascript:alert(1)'] }, message: /^image_urls\[0\]: must match pattern/ },
  { name: 'an image URL without a host', path: '/v1/images/edits', json: { ...EDIT, image_urls: undefined, image: 'http://' }, message: /^image: must match pattern/ },
  {
    name: 'an image URL the WHATWG parser refuses',
    path: '/v1/images/edits',
    json: { model: EDIT.model, prompt: EDIT.prompt, image: 'http://[::1' },
    message: 'image: must be an absolute http or https URL, got "http://[::1"',
  },
  { name: 'a file: mask', path: '/v1/images/inpaint', json: { ...INPAINT, mask_url: 'file:///etc/passwd' }, message: /^mask_url: must match pattern/ },
  { name: 'inpaint without a mask', path: '/v1/images/inpaint', json: { ...INPAINT, mask_url: undefined }, message: "mask_url: must have required property 'mask_url'" },
];

describe('bad input as a stranger sends it: 400 in the Lumen envelope, naming the field, never a 5xx', () => {
  it.each(BAD_REQUESTS)('$path, $name', async ({ path, json, raw, code = 'invalid_request', message }) => {
    const h = await startLumen();
    const response = await h.lumen(path, raw ? { method: 'POST', body: raw.body, headers: { 'Content-Type': raw.type } } : { json });
    const error = await lumenError(response);
    expect(error.status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  });

  it.each([
    { name: 'an unknown path', method: 'GET', path: '/v1/images/variations' },
    { name: 'a method the path lacks', method: 'DELETE', path: '/v1/images/generations/a1b2c3' },
    { name: 'GET on a submit path', method: 'GET', path: '/v1/images/inpaint' },
    { name: 'the bare slug', method: 'GET', path: '' },
  ])('$name: 404 invalid_request', async ({ method, path }) => {
    const h = await startLumen();
    const error = await lumenError(await h.lumen(path, { method }));
    expect(error).toMatchObject({ status: 404, code: 'invalid_request' });
  });

  it.each(['%00', 'a'.repeat(5000), '..%2F..%2Fetc', '%E0%A4%A'])('an odd task id (%s) is a plain 404 task_not_found', async (id) => {
    const h = await startLumen();
    expect(await lumenError(await h.lumen(`/v1/images/generations/${id}`))).toMatchObject({ status: 404, code: 'task_not_found' });
  });

  it('an unknown query parameter on GET is ignored: that operation documents no 400', async () => {
    const h = await startLumen();
    const id = await h.submit();
    expect((await h.lumen(`/v1/images/generations/${id}?verbose=1`)).status).toBe(200);
  });
});

describe('reference URLs are checked, never fetched', () => {
  it.each([
    { path: '/v1/images/edits', fields: (url: string) => ({ ...EDIT, image_urls: [url, `${url}?second`] }) },
    { path: '/v1/images/edits', fields: (url: string) => ({ model: EDIT.model, prompt: EDIT.prompt, image: url, mask_url: `${url}/mask` }) },
    { path: '/v1/images/inpaint', fields: (url: string) => ({ ...INPAINT, image_urls: [url], mask_url: `${url}/mask` }) },
  ])('$path: a receiver named in every image field sees no request, the task still succeeds', async ({ path, fields }) => {
    const receiver = await hookReceiver(200);
    const h = await startLumen();
    const id = await h.submit(fields(receiver.url), { path });
    h.clock.advance(10_000);
    expect((await h.task(id)).status).toBe('succeeded');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.hits).toEqual([]);
  });
});

describe('Prefer: code=<status> answers each documented error of each operation, in its documented code', () => {
  const cases = listOperations(doc).flatMap((operation) =>
    Object.entries(operation.responses)
      .filter(([status]) => Number(status) >= 400)
      .map(([status, response]) => ({ operation, status: Number(status), code: lumenErrorCodeOf(doc, response)!, codes: lumenErrorCodesOf(doc, response) })),
  );

  it('covers 4 operations and every error status the spec documents', () => {
    expect(new Set(cases.map((c) => c.operation.operationId)).size).toBe(4);
    expect(cases.map((c) => `${c.operation.operationId} ${c.status}`)).toContain('getTask 404');
    expect(cases.every((c) => c.codes.includes(c.code))).toBe(true);
  });

  it.each(cases.map((c) => ({ ...c, name: `${c.operation.operationId} ${c.status}` })))('$name -> $code', async ({ operation, status, code }) => {
    const h = await startLumen();
    const path = operation.path.replace('{id}', 'a1b2c3');
    const body = { createGenerationTask: GENERATION, createEditTask: EDIT, createInpaintTask: INPAINT, getTask: undefined }[operation.operationId];
    const response = await h.lumen(path, { method: operation.method, json: body, headers: { Prefer: `code=${status}` } });
    expect(await lumenError(response)).toEqual({ status, code, message: `Simulated by Prefer: code=${status}` });
    if (status === 429) expect(response.headers.get('retry-after')).toBe('1');
  });

  it('a status the operation does not document is refused, naming those it does', async () => {
    const h = await startLumen();
    const error = await lumenError(await h.lumen('/v1/images/generations/a1b2c3', { headers: { Prefer: 'code=502' } }));
    expect(error).toEqual({
      status: 400,
      code: 'invalid_request',
      message: 'Prefer: code=502 is not a documented response of GET /v1/images/generations/{id}; documented: 200, 401, 404',
    });
  });
});
