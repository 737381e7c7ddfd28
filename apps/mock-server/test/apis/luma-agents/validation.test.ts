// Bad input as a stranger sends it: always Luma's `{ detail }` body, 400 for a field that breaks its
// own rule, 422 for a rejected combination or unreadable image data, 413 for an image over the
// limit, and never a 5xx.
import type { GenerationCreateRequest } from '@imagegen/luma-agents';
import { describe, expect, it } from 'vitest';

import { combinationProblems, readRequestLimits } from '../../../src/apis/luma-agents/request-rules.js';
import { deref, loadSpec } from '../../../src/index.js';
import { PROMPT, TINY_PNG_BASE64, detailOf, requestExamples, startLuma } from './support.js';

const url = (name: string) => ({ url: `https://example.org/${name}.jpg` });
const refs = (count: number) => Array.from({ length: count }, (_, i) => url(`ref-${i}`));
const inline = { data: TINY_PNG_BASE64, media_type: 'image/png' };

type Case = { name: string; body: unknown; status: number; detail: RegExp };

const FIELD_RULES: Case[] = [
  { name: 'no prompt', body: {}, status: 400, detail: /^prompt is required$/ },
  { name: 'an empty prompt', body: { prompt: '' }, status: 400, detail: /^prompt must NOT have fewer than 1 characters$/ },
  { name: 'a prompt of 6001 characters', body: { prompt: 'x'.repeat(6001) }, status: 400, detail: /^prompt must NOT have more than 6000 characters$/ },
  { name: 'a numeric prompt', body: { prompt: 42 }, status: 400, detail: /^prompt must be string$/ },
  { name: 'an aspect ratio outside the nine', body: { prompt: PROMPT, aspect_ratio: '5:4' }, status: 400, detail: /^aspect_ratio must be one of: 3:1, 2:1, 16:9, 3:2, 1:1, 2:3, 9:16, 1:2, 1:3$/ },
  { name: 'an unknown model', body: { prompt: PROMPT, model: 'uni-2' }, status: 400, detail: /^model must be one of: uni-1, uni-1-max$/ },
  { name: 'output_format webp', body: { prompt: PROMPT, output_format: 'webp' }, status: 400, detail: /^output_format must be one of: png, jpeg$/ },
  { name: 'an unknown style', body: { prompt: PROMPT, style: 'anime' }, status: 400, detail: /^style must be one of: auto, manga$/ },
  { name: 'type video', body: { prompt: PROMPT, type: 'video' }, status: 400, detail: /^type must be one of: image, image_edit$/ },
  { name: 'a user_id of 257 characters', body: { prompt: PROMPT, user_id: 'u'.repeat(257) }, status: 400, detail: /^user_id must NOT have more than 256 characters$/ },
  { name: 'a field the page does not list', body: { prompt: PROMPT, seed: 7 }, status: 400, detail: /^seed is not a parameter of this request$/ },
  { name: 'a field named __proto__', body: JSON.parse(`{"prompt":"x","__proto__":{"admin":true}}`) as unknown, status: 400, detail: /__proto__ is not a parameter/ },
  { name: 'an unknown field inside an image', body: { prompt: PROMPT, image_ref: [{ ...url('a'), width: 5 }] }, status: 400, detail: /^image_ref\[0\]\.width is not a parameter/ },
  { name: 'ten reference images', body: { prompt: PROMPT, image_ref: refs(10) }, status: 400, detail: /^image_ref takes at most 9 reference images; got 10$/ },
  { name: 'ten reference images with image_edit', body: { prompt: PROMPT, type: 'image_edit', image_ref: refs(10) }, status: 400, detail: /^image_ref takes at most 9 reference images; got 10$/ },
  { name: 'image_ref as an object', body: { prompt: PROMPT, image_ref: url('a') }, status: 400, detail: /^image_ref must be array$/ },
  { name: 'a source url that is a number', body: { prompt: PROMPT, source: { url: 5 } }, status: 400, detail: /^source\.url must be string$/ },
  { name: 'a source that is a string', body: { prompt: PROMPT, source: 'https://example.org/a.jpg' }, status: 400, detail: /^source must be object or null$/ },
  { name: 'an aspect ratio that is a number', body: { prompt: PROMPT, aspect_ratio: 1.5 }, status: 400, detail: /^aspect_ratio must be string or null$/ },
  { name: 'a reference image that is a string', body: { prompt: PROMPT, image_ref: ['https://example.org/a.jpg'] }, status: 400, detail: /^image_ref\[0\] must be object$/ },
  { name: 'an image url that is null', body: { prompt: PROMPT, image_ref: [{ url: null }] }, status: 400, detail: /^image_ref\[0\]\.url must be string$/ },
  // Issue 15 row 10: any JSON value but an object is told so, not that it is not JSON.
  ...['[{"prompt":"x"}]', 'null', '1', '"x"', 'true'].map((json) => ({ name: `a body that is ${json}`, body: JSON.parse(json) as unknown, status: 400, detail: /^body must be a JSON object$/ })),
];

const COMBINATIONS: Case[] = [
  { name: 'image_edit without a source or image_ref', body: { prompt: PROMPT, type: 'image_edit' }, status: 422, detail: /^type image_edit needs an image to edit: send a source or at least one image_ref$/ },
  { name: 'image_edit with a null source', body: { prompt: PROMPT, type: 'image_edit', source: null }, status: 422, detail: /^type image_edit needs an image to edit/ },
  { name: 'image_edit with an empty image_ref', body: { prompt: PROMPT, type: 'image_edit', image_ref: [] }, status: 422, detail: /^type image_edit needs an image to edit/ },
  { name: 'nine reference images with image_edit', body: { prompt: PROMPT, type: 'image_edit', image_ref: refs(9) }, status: 422, detail: /^image_ref: type image_edit takes at most 8 reference images \(9 for type image\); got 9$/ },
  { name: 'a source with both url and data', body: { prompt: PROMPT, source: { ...url('a'), ...inline } }, status: 422, detail: /^source: provide either url or data, not both$/ },
  { name: 'a source with neither url nor data', body: { prompt: PROMPT, source: { media_type: 'image/png' } }, status: 422, detail: /^source: provide either url or inline base64 data$/ },
  { name: 'an empty source object', body: { prompt: PROMPT, source: {} }, status: 422, detail: /^source: provide either url or inline base64 data$/ },
  { name: 'source data without media_type', body: { prompt: PROMPT, source: { data: TINY_PNG_BASE64 } }, status: 422, detail: /^source: media_type is required with data$/ },
  { name: 'a fourth reference with neither url nor data', body: { prompt: PROMPT, image_ref: [...refs(3), { media_type: 'image/png' }] }, status: 422, detail: /^image_ref\[3\]: provide either url or inline base64 data$/ },
  { name: 'an empty reference object', body: { prompt: PROMPT, image_ref: [{}] }, status: 422, detail: /^image_ref\[0\]: provide either url or inline base64 data$/ },
  { name: 'reference data without media_type', body: { prompt: PROMPT, image_ref: [{ data: TINY_PNG_BASE64 }] }, status: 422, detail: /^image_ref\[0\]: media_type is required with data$/ },
];

const MEDIA: Case[] = [
  { name: 'base64 that is not base64', body: { prompt: PROMPT, source: { data: 'not base64!', media_type: 'image/png' } }, status: 422, detail: /^source\.data is not valid base64/ },
  { name: 'a data: URL instead of base64', body: { prompt: PROMPT, source: { data: `data:image/png;base64,${TINY_PNG_BASE64}`, media_type: 'image/png' } }, status: 422, detail: /^source\.data is not valid base64/ },
  { name: 'base64 of text, not an image', body: { prompt: PROMPT, image_ref: [{ data: Buffer.from('hello, world').toString('base64'), media_type: 'image/png' }] }, status: 422, detail: /^image_ref\[0\]\.data does not decode to an image/ },
  // Issue 15 row 7: media_type must be an image type, and the one the data is.
  { name: 'PNG data labelled text/html', body: { prompt: PROMPT, source: { data: TINY_PNG_BASE64, media_type: 'text/html' } }, status: 422, detail: /^source\.media_type text\/html is not an image type; the data is a PNG image \(image\/png\)$/ },
  { name: 'PNG data labelled image/jpeg', body: { prompt: PROMPT, image_ref: [{ data: TINY_PNG_BASE64, media_type: 'image/jpeg' }] }, status: 422, detail: /^image_ref\[0\]\.media_type image\/jpeg does not match the data, which is a PNG image \(image\/png\)$/ },
  { name: 'a url that is not a URL', body: { prompt: PROMPT, source: { url: 'street.jpg' } }, status: 422, detail: /^source\.url: cannot fetch an image from "street\.jpg"/ },
  { name: 'a file: URL', body: { prompt: PROMPT, image_ref: [{ url: 'file:///etc/passwd' }] }, status: 422, detail: /^image_ref\[0\]\.url: cannot fetch an image/ },
];

describe('Luma Agents request validation: the documented status and a {detail} naming the field', () => {
  it.each([...FIELD_RULES, ...COMBINATIONS, ...MEDIA])('$name -> $status', async ({ body, status, detail }) => {
    const h = await startLuma();
    const response = await h.luma('/generations', { json: body });
    expect(response.status).toBe(status);
    expect(await detailOf(response)).toMatch(detail);
  });

  it.each(COMBINATIONS)('same words whether the schema or the mock catches it: $name', async ({ body }) => {
    const h = await startLuma();
    const response = await h.luma('/generations', { json: body });
    const doc = loadSpec('luma-agents');
    const schema = deref<{ content: Record<string, { schema: unknown }> }>(doc, doc.components!.requestBodies!.GenerationCreateRequest).content['application/json']!.schema;
    // What the mock's own check (run by the handler on schema-valid bodies) says of the same body.
    const ownCheck = combinationProblems(body as GenerationCreateRequest, readRequestLimits(doc, schema));
    expect(ownCheck).toHaveLength(1);
    expect(await detailOf(response)).toBe(ownCheck[0]);
  });

  it.each([
    { name: 'eight reference images with image_edit', body: { prompt: PROMPT, type: 'image_edit', image_ref: refs(8) } },
    { name: 'nine reference images with type image', body: { prompt: PROMPT, image_ref: refs(9) } },
    { name: 'an edit of an inline source', body: { prompt: PROMPT, type: 'image_edit', source: inline } },
    { name: 'an edit guided only by references', body: { prompt: PROMPT, type: 'image_edit', image_ref: [inline] } },
    { name: 'a reference with both url and data (the page makes every image_ref field optional)', body: { prompt: PROMPT, image_ref: [{ ...url('a'), ...inline }] } },
    { name: 'every field null that may be null', body: { prompt: PROMPT, aspect_ratio: null, output_format: null, source: null } },
    { name: 'a prompt of exactly 6000 characters', body: { prompt: 'x'.repeat(6000) } },
    ...Object.entries(requestExamples()).map(([name, body]) => ({ name: `the spec example ${name}`, body })),
  ])('accepts $name', async ({ body }) => {
    const h = await startLuma();
    const response = await h.luma('/generations', { json: body });
    expect(response.status, JSON.stringify(await response.clone().json())).toBe(201);
  });

  it.each([
    { name: 'a body that is not JSON', init: { body: '{"prompt": ', headers: { 'Content-Type': 'application/json' } }, detail: /not valid JSON/ },
    { name: 'a form body', init: { body: 'prompt=hello', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, detail: /Content-Type/ },
    { name: 'text/plain', init: { body: JSON.stringify({ prompt: PROMPT }), headers: { 'Content-Type': 'text/plain' } }, detail: /Content-Type/ },
    { name: 'no body at all', init: {}, detail: /Content-Type/ },
  ])('$name -> 400', async ({ init, detail }) => {
    const h = await startLuma();
    const response = await h.luma('/generations', { method: 'POST', ...init });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatch(detail);
  });

  it.each([
    { name: 'a malformed generation id', path: '/generations/not-a-uuid', status: 400, detail: /^path parameter id: must match format "uuid"$/ },
    { name: 'an unknown query parameter', path: '/generations/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e?verbose=1', status: 400, detail: /verbose/ },
    { name: 'an unknown path', path: '/images', status: 404, detail: /No luma-agents endpoint/ },
    { name: 'DELETE of a generation', path: '/generations/182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e', method: 'DELETE', status: 404, detail: /DELETE is not allowed/ },
  ])('$name -> $status', async ({ path, method, status, detail }) => {
    const h = await startLuma();
    const response = await h.luma(path, { method });
    expect(response.status).toBe(status);
    expect(await detailOf(response)).toMatch(detail);
  });
});

describe('Luma Agents input images over the size limit: 413', () => {
  const pngOf = (bytes: number) => {
    const png = Buffer.from(TINY_PNG_BASE64, 'base64');
    return Buffer.concat([png, Buffer.alloc(bytes - png.length)]).toString('base64');
  };

  it.each([
    { name: 'an inline image of exactly the limit', bytes: 4096, status: 201 },
    { name: 'an inline image one byte over the limit', bytes: 4097, status: 413 },
    { name: 'an image far over the limit (refused before decoding)', bytes: 40_000, status: 413 },
  ])('maxImageBytes 4096: $name -> $status', async ({ bytes, status }) => {
    const h = await startLuma({ apis: { 'luma-agents': { maxImageBytes: 4096 } } });
    const response = await h.luma('/generations', { json: { prompt: PROMPT, type: 'image_edit', source: { data: pngOf(bytes), media_type: 'image/png' } } });
    expect(response.status).toBe(status);
    if (status === 413) expect(await detailOf(response)).toMatch(/^source: the input image is \d+ bytes, over the 4096 bytes limit; resize it$/);
  });

  it('a request body over the server body limit is a 413 too, not a 400', async () => {
    const h = await startLuma({ bodyLimit: '64kb' });
    const response = await h.luma('/generations', { json: { prompt: PROMPT, source: { data: pngOf(60 * 1024), media_type: 'image/png' } } });
    expect(response.status).toBe(413);
    expect(await detailOf(response)).toMatch(/too large/);
  });
});
