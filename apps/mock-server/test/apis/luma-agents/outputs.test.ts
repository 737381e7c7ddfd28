import type { AspectRatio, OutputFormat } from '@imagegen/luma-agents';
import { LumaAgentsOutputExpiredError, createLumaAgentsClient } from '@imagegen/luma-agents';
import { decode as decodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';

import { imageSize } from '../../../src/index.js';
import { decodeWithLibjpeg } from '../../libjpeg.js';
import { HOUR, KEYS, detailOf, outputUrl, specEnum, startLuma } from './support.js';
import type { LumaHarness } from './support.js';

const ASPECT_RATIOS = specEnum<AspectRatio>('AspectRatio');
const FORMATS = specEnum<OutputFormat>('OutputFormat');

/** Downloads a presigned URL the way a browser or storage client would: no key, no cookies. */
const download = (url: string, init: RequestInit = {}) => fetch(url, { ...init, credentials: 'omit' });

async function completedOutput(h: LumaHarness, body: Parameters<LumaHarness['create']>[0] = {}) {
  const created = await h.create(body);
  const polled = await h.poll(created.id);
  return { id: created.id, url: outputUrl(polled) };
}

/**
 * Decodes with libraries independent of the renderer (fast-png, mozjpeg's libjpeg), so a broken file
 * fails here. libjpeg fills in what a cut-short JPEG lacks (jpeg-js, used before, threw): a JPEG
 * must also end with its end-of-image marker.
 */
async function decodedSize(format: OutputFormat, bytes: Uint8Array): Promise<{ width: number; height: number }> {
  if (format !== 'png') expect([...bytes.subarray(-2)], 'the JPEG ends with its EOI marker').toEqual([0xff, 0xd9]);
  const image = format === 'png' ? decodePng(bytes) : await decodeWithLibjpeg(bytes);
  return { width: image.width, height: image.height };
}

describe('Luma Agents outputs: real images at a presigned URL of the mock itself', () => {
  it('a completed generation lists one image at a signed URL on the mock origin, below /luma-agents', async () => {
    const h = await startLuma();
    const { id, url } = await completedOutput(h);
    const parsed = new URL(url);
    expect(parsed.origin).toBe(h.running.url);
    expect(parsed.pathname).toBe(`/luma-agents/storage/generations/${id}/0.png`);
    expect([...parsed.searchParams.keys()]).toEqual(['Expires', 'Signature']);
    expect(Number(parsed.searchParams.get('Expires')) * 1000).toBe(Math.floor((h.clock.now() + HOUR) / 1000) * 1000);
  });

  it('is downloaded without any Authorization header', async () => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    const response = await download(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect(imageSize(bytes)).toEqual({ format: 'png', width: 2048, height: 2048 });
  });

  it.each(FORMATS.flatMap((format) => ASPECT_RATIOS.map((aspect_ratio) => ({ format, aspect_ratio }))))(
    '$format at $aspect_ratio: a decodable file whose size follows the ratio, 2048 px on the longer side',
    async ({ format, aspect_ratio }) => {
      const h = await startLuma();
      const { url } = await completedOutput(h, { aspect_ratio, output_format: format });
      expect(new URL(url).pathname).toMatch(format === 'png' ? /\/0\.png$/ : /\/0\.jpg$/);
      const response = await download(url);
      expect(response.headers.get('content-type')).toBe(`image/${format}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const { width, height } = await decodedSize(format, bytes);
      expect(imageSize(bytes)).toEqual({ format, width, height });
      const [w, h2] = aspect_ratio.split(':').map(Number) as [number, number];
      expect(Math.max(width, height)).toBe(2048);
      expect(Math.abs(width / height - w / h2)).toBeLessThan(0.002);
    },
  );

  it('JPEG outputs are baseline (SOF0), not progressive', async () => {
    const h = await startLuma();
    const { url } = await completedOutput(h, { output_format: 'jpeg', aspect_ratio: '16:9' });
    const bytes = Buffer.from(await (await download(url)).arrayBuffer());
    // Entropy-coded data stuffs every 0xFF with 0x00, so a start-of-frame marker can only be a header.
    expect(bytes.indexOf(Buffer.from([0xff, 0xc0]))).toBeGreaterThan(0);
    expect(bytes.indexOf(Buffer.from([0xff, 0xc2]))).toBe(-1);
  });

  it.each([
    { name: 'both omitted', body: {} },
    { name: 'both null', body: { aspect_ratio: null, output_format: null } },
  ])('$name: the mock picks a square PNG (2048x2048)', async ({ body }) => {
    const h = await startLuma();
    const { url } = await completedOutput(h, body);
    expect(imageSize(new Uint8Array(await (await download(url)).arrayBuffer()))).toEqual({ format: 'png', width: 2048, height: 2048 });
  });

  it('is deterministic: every download of a generation, through any fresh URL, gives the same bytes', async () => {
    const h = await startLuma();
    const { id, url } = await completedOutput(h, { output_format: 'jpeg' });
    const first = Buffer.from(await (await download(url)).arrayBuffer());
    h.clock.advance(10 * 60 * 1000);
    const fresh = outputUrl(await h.poll(id));
    expect(fresh).not.toBe(url);
    const again = Buffer.from(await (await download(fresh)).arrayBuffer());
    expect(again.equals(first)).toBe(true);
  });

  it('each generation is its own picture: the label names its id, so equal requests still differ', async () => {
    const h = await startLuma();
    const a = await completedOutput(h, { aspect_ratio: '3:1' });
    const b = await completedOutput(h, { aspect_ratio: '3:1' });
    const bytesA = Buffer.from(await (await download(a.url)).arrayBuffer());
    const bytesB = Buffer.from(await (await download(b.url)).arrayBuffer());
    expect(bytesA.equals(bytesB)).toBe(false);
  });

  it('answers HEAD with the headers of the download and no body', async () => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    const full = await download(url);
    const head = await download(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(full.headers.get('content-length'));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('lets caches keep the file no longer than the URL lives', async () => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    expect((await download(url)).headers.get('cache-control')).toBe('private, max-age=3600');
    h.clock.advance(HOUR - 60_000);
    expect((await download(url)).headers.get('cache-control')).toBe('private, max-age=60');
  });

  it('uses the configured public URL for the output origin', async () => {
    const h = await startLuma({ publicUrl: 'http://mock.internal:4010' });
    const { url } = await completedOutput(h);
    expect(new URL(url).origin).toBe('http://mock.internal:4010');
    const local = url.replace('http://mock.internal:4010', h.running.url);
    expect((await download(local)).status).toBe(200);
  });
});

describe('Luma Agents output URLs expire after one hour on the mock clock', () => {
  it('answers 403 with an "expired" detail an hour later; polling again hands out a fresh URL that works', async () => {
    const h = await startLuma();
    const { id, url } = await completedOutput(h);
    h.clock.advance(HOUR - 1000);
    expect((await download(url)).status).toBe(200);
    h.clock.advance(1000);
    const expired = await download(url);
    expect(expired.status).toBe(403);
    expect(await detailOf(expired)).toMatch(/request has expired.*poll the generation again/i);

    const fresh = outputUrl(await h.poll(id));
    expect(Number(new URL(fresh).searchParams.get('Expires'))).toBeGreaterThan(Number(new URL(url).searchParams.get('Expires')));
    const response = await download(fresh);
    expect(response.status).toBe(200);
    expect(imageSize(new Uint8Array(await response.arrayBuffer())).format).toBe('png');
  });

  it('the typed client refreshes an expired URL once by polling again, and downloads', async () => {
    const h = await startLuma();
    const client = createLumaAgentsClient({ apiKey: KEYS.dev, baseUrl: h.lumaBase });
    const completed = await client.waitForGeneration((await client.createGeneration({ prompt: 'a lighthouse', output_format: 'jpeg' })).id, { intervalMs: 1 });
    h.clock.advance(2 * HOUR);
    await expect(client.downloadOutput(completed.output[0]!.url)).rejects.toBeInstanceOf(LumaAgentsOutputExpiredError);
    const { generation, images } = await client.downloadOutputs(completed);
    expect(generation.output[0]!.url).not.toBe(completed.output[0]!.url);
    expect(images.map((image) => image.contentType)).toEqual(['image/jpeg']);
    expect(imageSize(images[0]!.bytes)).toEqual({ format: 'jpeg', width: 2048, height: 2048 });
  });

  const tampered: Array<{ name: string; change: (url: URL, other: URL) => void; detail: RegExp }> = [
    { name: 'a changed signature', change: (url) => url.searchParams.set('Signature', flipFirstHexDigit(url.searchParams.get('Signature')!)), detail: /signature does not match/ },
    { name: 'an expiry moved forward', change: (url) => url.searchParams.set('Expires', String(Number(url.searchParams.get('Expires')) + 3600)), detail: /signature does not match/ },
    { name: "another generation's path with this signature", change: (url, other) => void (url.pathname = other.pathname), detail: /signature does not match/ },
    { name: 'the other file extension', change: (url) => void (url.pathname = url.pathname.replace(/\.png$/, '.jpg')), detail: /signature does not match/ },
    { name: 'no query at all', change: (url) => void (url.search = ''), detail: /not signed/ },
  ];
  it.each(tampered)('refuses $name with 403', async ({ change, detail }) => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    const { url: otherUrl } = await completedOutput(h);
    const altered = new URL(url);
    change(altered, new URL(otherUrl));
    expect(altered.href).not.toBe(url);
    const response = await download(altered.href);
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatch(detail);
  });

  it('a genuine URL of a generation the mock has forgotten (reset) answers 404', async () => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    h.mock.reset();
    const response = await download(url);
    expect(response.status).toBe(404);
    expect(await detailOf(response)).toMatch(/No output/);
  });

  it.each([
    { name: 'POST to an output URL', method: 'POST', status: 404 },
    { name: 'a path below /luma-agents that nothing serves', method: 'GET', path: '/luma-agents/storage/elsewhere', status: 404 },
  ])('$name: $status in the {detail} format', async ({ method, path, status }) => {
    const h = await startLuma();
    const { url } = await completedOutput(h);
    const response = await download(path === undefined ? url : `${h.running.url}${path}`, { method });
    expect(response.status).toBe(status);
    await detailOf(response);
  });
});

function flipFirstHexDigit(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
