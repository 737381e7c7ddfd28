import type { ImagesRequest } from '@imagegen/useapi-luma';
import { describe, expect, it } from 'vitest';

import type { MockServerOptions } from '../../../src/index.js';
import { ASSET_REF, TINY_PNG, TOKENS, errorOf, startUseapiMock, upload } from './helpers.js';

const emailOf = (jobid: string) => /-email:(.+):[0-9a-f-]{36}-bot:luma$/.exec(jobid)?.[1];
const TWO_ACCOUNTS: MockServerOptions = { apis: { 'useapi-luma': { accounts: [{ email: 'user@example.com' }, { email: 'other@example.com' }] } } };

describe('useapi.net Luma reference images: POST /assets/{email}, then imageRef1..4', () => {
  it('an upload yields an assetRef of the documented form and a public URL serving the same bytes', async () => {
    const h = await startUseapiMock();
    const response = await h.send('/assets/user@example.com', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: TINY_PNG });
    const body = (await response.json()) as { assetRef: string; email: string; upload: { id: string; media: { url: string } } };
    expect(response.status).toBe(200);
    expect(body.assetRef).toMatch(ASSET_REF);
    expect(body.assetRef).toBe(`u12345-email:user@example.com:${body.upload.id}`);
    expect(body.email).toBe('user@example.com');
    const served = await fetch(body.upload.media.url);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(TINY_PNG);
  });

  it.each([
    ['image-v2 with a reference, asking 1080p: locked to 720p, as the echo shows', 'image-v2', '1080p', '720p', 1280],
    ['photon-v2 with a reference keeps 1080p', 'photon-v2', '1080p', '1080p', 1920],
    ['image-v2 with a reference and no resolution: 720p', 'image-v2', undefined, '720p', 1280],
  ] as const)('%s', async (_title, model, resolution, runs, width) => {
    const h = await startUseapiMock({ timing: 'instant' });
    const assetRef = await upload(h);
    const created = await h.create({ prompt: 'the same face, on Mars', model, ...(resolution ? { resolution } : {}), imageRef1: assetRef });
    expect(created.request).toEqual({ prompt: 'the same face, on Mars', model, resolution: runs, aspect_ratio: '16:9', imageRefs: [assetRef] });
    expect((await h.job(created.jobids[0]!)).response?.image.width).toBe(width);
  });

  it('image-v2 without references runs at the resolution asked for', async () => {
    const h = await startUseapiMock();
    const created = await h.create({ prompt: 'a lighthouse', model: 'image-v2', resolution: '1080p' });
    expect(created.request.resolution).toBe('1080p');
  });

  it("the batch runs on the references' account, with or without a matching email; up to four references, in order", async () => {
    const h = await startUseapiMock(TWO_ACCOUNTS);
    const refs = [await upload(h, 'other@example.com'), await upload(h, 'other@example.com'), await upload(h, 'OTHER@example.com')];
    for (const email of [undefined, 'other@example.com', 'Other@Example.com']) {
      const created = await h.create({ prompt: 'x', imageRef1: refs[0], imageRef3: refs[1], imageRef4: refs[2], ...(email ? { email } : {}) });
      expect(emailOf(created.jobid), String(email)).toBe('other@example.com');
      expect(created.request.imageRefs).toEqual(refs);
    }
  });

  it.each<[string, (refs: { user: string; other: string; foreign: string }) => ImagesRequest, RegExp]>([
    [
      'references on two accounts',
      ({ user, other }) => ({ prompt: 'x', imageRef1: user, imageRef2: other }),
      /^All references must belong to the same account: imageRef1 is on user@example\.com, imageRef2 on other@example\.com$/,
    ],
    [
      'an email that is not the references\' account',
      ({ user }) => ({ prompt: 'x', email: 'other@example.com', imageRef1: user }),
      /^Parameter email \(other@example\.com\) must match the account of the references \(user@example\.com\)$/,
    ],
    [
      'an assetRef never uploaded',
      ({ user }) => ({ prompt: 'x', imageRef1: user.replace(/:[0-9a-f]{8}-/, ':00000000-') }),
      /^Parameter imageRef1 \(u12345-email:user@example\.com:00000000-.*\) is not an uploaded asset; upload the image with POST \/assets\/user@example\.com and pass its assetRef$/,
    ],
    ["another user's assetRef", ({ foreign }) => ({ prompt: 'x', imageRef1: foreign }), /^Parameter imageRef1 \(u23456-email:solo@example\.com:.*\) is not an assetRef of this user$/],
  ])('%s: 400 saying so', async (_title, body, error) => {
    const h = await startUseapiMock(TWO_ACCOUNTS);
    const refs = { user: await upload(h), other: await upload(h, 'other@example.com'), foreign: '' };
    const foreign = await startUseapiMock();
    refs.foreign = await upload(foreign, 'solo@example.com', TOKENS.oneSlot);
    const answer = await errorOf(await h.send('/images', { json: body(refs) }));
    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(error);
  });

  it("a reference on a busy or broken account gets that account's 429, 402 or 596", async () => {
    const h = await startUseapiMock();
    const expired = await upload(h, 'expired@example.com');
    expect((await h.send('/images', { json: { prompt: 'x', imageRef1: expired } })).status).toBe(402);
    const solo = await upload(h, 'solo@example.com', TOKENS.oneSlot);
    await h.create({ prompt: 'x', imageRef1: solo }, { token: TOKENS.oneSlot });
    expect((await h.send('/images', { token: TOKENS.oneSlot, json: { prompt: 'x', imageRef1: solo } })).status).toBe(429);
  });

  it.each([
    { title: 'an empty body', contentType: 'image/png', body: Buffer.alloc(0), status: 400, error: 'Content is empty' },
    { title: 'a type the API does not take', contentType: 'image/bmp', body: TINY_PNG, status: 400, error: 'Content-Type (image/bmp) not supported. Valid: image/jpeg, image/png, image/webp' },
    { title: 'JSON', contentType: 'application/json', body: Buffer.from('{}'), status: 400, error: 'Content-Type (application/json) not supported. Valid: image/jpeg, image/png, image/webp' },
    { title: 'more than 20 MB', contentType: 'image/jpeg', body: Buffer.alloc(20 * 1024 * 1024 + 1, 1), status: 400, error: 'File too large (20971521 bytes). Maximum: 20 MB' },
    // Issue 15 row 6: the bytes are checked as Luma Agents checks inline images.
    { title: 'bytes that are no image', contentType: 'image/png', body: Buffer.from('hello'), status: 400, error: 'File content is not a JPEG, PNG or WebP image. Valid: image/jpeg, image/png, image/webp' },
    { title: 'a PNG labelled JPEG', contentType: 'image/jpeg', body: TINY_PNG, status: 400, error: 'Content-Type (image/jpeg) does not match the file, which is a PNG image (image/png)' },
    { title: 'a GIF', contentType: 'image/png', body: Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), status: 400, error: 'File content is not a JPEG, PNG or WebP image (it is a GIF). Valid: image/jpeg, image/png, image/webp' },
  ])('upload of $title: $status', async ({ contentType, body, status, error }) => {
    const h = await startUseapiMock();
    const answer = await errorOf(await h.send('/assets/user@example.com', { method: 'POST', headers: { 'Content-Type': contentType }, body }));
    expect(answer).toEqual({ status, error });
  });

  it.each([
    ['an account not configured', 'nobody@example.com', 404, 'Unable to find configuration for email nobody@example.com'],
    ['an account with a broken session', 'session-error@example.com', 596, /^Luma account has an error/],
    ['an address that is not one', 'nobody', 400, 'Parameter email (nobody) must be an email address'],
  ])('upload to %s: %i', async (_title, email, status, error) => {
    const h = await startUseapiMock();
    const answer = await errorOf(await h.send(`/assets/${encodeURIComponent(email)}`, { method: 'POST', headers: { 'Content-Type': 'image/webp' }, body: TINY_PNG }));
    expect(answer.status).toBe(status);
    expect(answer.error).toMatch(error);
  });

  it('an upload to an account without subscription still works (only generation needs one)', async () => {
    const h = await startUseapiMock();
    expect(await upload(h, 'expired@example.com')).toMatch(/^u12345-email:expired@example\.com:/);
  });
});
