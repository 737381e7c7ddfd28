import { inflateSync } from 'node:zlib';

import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';

import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk } from '../src/core/images/bitmap-font.js';
import type { ImageFormat } from '../src/core/images/image-size.js';
import {
  PLACEHOLDER_MAX_LABEL_LINES,
  PLACEHOLDER_MAX_SIDE,
  PlaceholderImageCache,
  placeholderCacheKey,
  placeholderLabel,
  renderPlaceholderImage,
} from '../src/core/images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../src/core/images/placeholder-image.js';
import { imageSize, readImageProvenance } from '../src/index.js';
import { decodeWithLibjpeg } from './libjpeg.js';

// Decoded by libraries independent of the code under test (which writes its own deflate stream and
// its own JPEG): fast-png inflates with fflate, jpeg-js is a JavaScript JPEG decoder; pngjs (node's
// zlib) and libjpeg-turbo (MozJPEG's decoder, as WebAssembly) read every file a second time below.
interface Pixels {
  width: number;
  height: number;
  rgb(x: number, y: number): [number, number, number];
}

function decode(format: ImageFormat, bytes: Uint8Array): Pixels {
  if (format === 'png') {
    const { width, height, data, channels, palette } = decodePng(bytes);
    return {
      width,
      height,
      rgb: (x, y) => {
        const at = (y * width + x) * channels;
        if (palette) return palette[data[at]!]!.slice(0, 3) as [number, number, number];
        return [data[at]!, data[at + 1]!, data[at + 2]!];
      },
    };
  }
  return rgba(jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 }));
}

function rgba({ width, height, data }: { width: number; height: number; data: ArrayLike<number> }): Pixels {
  return { width, height, rgb: (x, y) => [data[(y * width + x) * 4]!, data[(y * width + x) * 4 + 1]!, data[(y * width + x) * 4 + 2]!] };
}

/** The second decoder of each format. */
async function decodeAgain(format: ImageFormat, bytes: Buffer): Promise<Pixels> {
  if (format === 'png') return rgba(PNG.sync.read(bytes));
  return rgba(await decodeWithLibjpeg(bytes));
}


/** The marker bytes of a JPEG's segments up to the start of scan, read independently of imageSize. */
function jpegMarkers(bytes: Uint8Array): number[] {
  const markers: number[] = [];
  for (let at = 2; at + 4 <= bytes.length; ) {
    const marker = bytes[at + 1]!;
    markers.push(marker);
    if (marker === 0xda) break;
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return markers;
}

const LABEL = placeholderLabel({ api: 'LumixAI', model: 'flux-kontext', width: 1024, height: 1024, prompt: 'a lighthouse at dusk', id: 'seed:7' });
const request = (over: Partial<PlaceholderImageRequest> = {}): PlaceholderImageRequest => ({
  format: 'png',
  width: 256,
  height: 256,
  seed: 'seed-a',
  label: LABEL,
  ...over,
});
const FORMATS: ImageFormat[] = ['png', 'jpeg'];
const forBothFormats = <T extends object>(cases: T[]) => FORMATS.flatMap((format) => cases.map((c) => ({ format, ...c })));
/** JPEG is lossy: a pixel counts as changed only when a channel moved by more than this. */
const JPEG_TOLERANCE = 48;

describe('renderPlaceholderImage', () => {
  const sizes = [
    { width: 1, height: 1 },
    { width: 2, height: 3 },
    { width: 256, height: 256 },
    { width: 1024, height: 576 },
    { width: 576, height: 1024 },
    { width: 2048, height: 878 },
    { width: 1755, height: 4096 },
    { width: 4096, height: 2304 },
    { width: 4096, height: 1 },
    { width: 1, height: 4096 },
    { width: 8192, height: 24 },
  ];

  it.each(forBothFormats(sizes))('$format $width x $height decodes to exactly that size, alike in two independent decoders', async ({ format, width, height }) => {
    const bytes = renderPlaceholderImage(request({ format, width, height }));
    const pixels = decode(format, bytes);
    const again = await decodeAgain(format, bytes);
    expect({ width: pixels.width, height: pixels.height }).toEqual({ width, height });
    expect({ width: again.width, height: again.height }).toEqual({ width, height });
    expect(imageSize(bytes)).toEqual({ format, width, height });
    // Away from the label's edges (where decoders upsample chroma differently): decoders may round an
    // IDCT differently, never by more than a few steps.
    const tolerance = format === 'jpeg' ? 3 : 0;
    for (const [x, y] of [[width - 1, height - 1], [width >> 1, height - 1], [width - 1, height >> 1], [0, height - 1]] as const) {
      again.rgb(x, y).forEach((v, c) => expect(Math.abs(v - pixels.rgb(x, y)[c]!), `(${x}, ${y})`).toBeLessThanOrEqual(tolerance));
    }
  });

  it('writes a PNG whose zlib stream node:zlib inflates to one filtered row per image row', () => {
    const bytes = renderPlaceholderImage(request({ width: 640, height: 480 }));
    const idat: Buffer[] = [];
    for (let at = 8; at < bytes.length; at += 12 + bytes.readUInt32BE(at)) {
      if (bytes.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(bytes.subarray(at + 8, at + 8 + bytes.readUInt32BE(at)));
    }
    // inflateSync checks the Adler-32 the encoder sums per run.
    expect(inflateSync(Buffer.concat(idat)).length).toBe(480 * (1 + 640));
  });

  it('writes JPEG as a baseline (SOF0) frame, not progressive', async () => {
    const markers = jpegMarkers(await renderPlaceholderImage(request({ format: 'jpeg' })));
    expect(markers).toContain(0xc0);
    expect(markers).not.toContain(0xc2);
  });

  it.each(FORMATS)('%s: equal requests give identical bytes, rendered afresh each time', async (format) => {
    const a = await renderPlaceholderImage(request({ format, width: 640, height: 480 }));
    const b = await renderPlaceholderImage(request({ format, width: 640, height: 480 }));
    expect(a).not.toBe(b);
    expect(a.equals(b)).toBe(true);
  });

  it.each(FORMATS)('%s: a different seed gives different colours', async (format) => {
    const a = await renderPlaceholderImage(request({ format, seed: 'seed-a' }));
    const b = await renderPlaceholderImage(request({ format, seed: 'seed-b' }));
    expect(a.equals(b)).toBe(false);
    // The bottom-right corner is plain gradient, far from the label.
    expect(decode(format, a).rgb(255, 255)).not.toEqual(decode(format, b).rgb(255, 255));
  });

  // The label is what differs between a render with it and one without: where, how big, how contrasting.
  const labelled = forBothFormats([
    { width: 256, height: 256 },
    { width: 1024, height: 1024 },
    { width: 4096, height: 2304 },
    { width: 600, height: 4096 },
  ]);
  it.each(labelled)('$format $width x $height: a contrasting label box at the top left, scaled with the image', async ({ format, width, height }) => {
    const withLabel = decode(format, await renderPlaceholderImage(request({ format, width, height })));
    const without = decode(format, await renderPlaceholderImage(request({ format, width, height, label: [] })));
    const tolerance = format === 'jpeg' ? JPEG_TOLERANCE : 0;
    const box = { left: width, top: height, right: 0, bottom: 0 };
    let darkest = 255;
    let lightest = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const a = withLabel.rgb(x, y);
        const b = without.rgb(x, y);
        if (a.every((v, c) => Math.abs(v - b[c]!) <= tolerance)) continue;
        box.left = Math.min(box.left, x);
        box.top = Math.min(box.top, y);
        box.right = Math.max(box.right, x + 1);
        box.bottom = Math.max(box.bottom, y + 1);
        const luma = 0.299 * a[0] + 0.587 * a[1] + 0.114 * a[2];
        darkest = Math.min(darkest, luma);
        lightest = Math.max(lightest, luma);
      }
    }
    const shorter = Math.min(width, height);
    expect(box.right, 'some pixels belong to the label').toBeGreaterThan(0);
    expect(box.left).toBeLessThan(shorter * 0.05);
    expect(box.top).toBeLessThan(shorter * 0.05);
    // The same share of the shorter side at every size: big enough to read at 256 px, not tiny at 4096.
    expect((box.bottom - box.top) / shorter).toBeGreaterThan(0.15);
    expect((box.bottom - box.top) / shorter).toBeLessThan(0.35);
    expect(lightest - darkest, 'ink against box').toBeGreaterThan(180);
  });

  it.each(FORMATS)('%s: draws characters outside printable ASCII as one "?" each', async (format) => {
    const unicode = await renderPlaceholderImage(request({ format, label: ['naïve 日本 🙂 tab\there', 'NUL\u0000 lone \ud800'] }));
    const replaced = await renderPlaceholderImage(request({ format, label: ['na?ve ?? ? tab?here', 'NUL? lone ?'] }));
    expect(unicode.equals(replaced)).toBe(true);
  });

  it.each(FORMATS)('%s: different label text gives different bytes', async (format) => {
    const a = await renderPlaceholderImage(request({ format, label: ['job 1'] }));
    const b = await renderPlaceholderImage(request({ format, label: ['job 2'] }));
    expect(a.equals(b)).toBe(false);
  });

  it.each(forBothFormats([
    { what: 'a line far wider than the image', label: ['x'.repeat(5000)] },
    { what: 'more lines than fit', label: Array.from({ length: 200 }, (_, i) => `line ${i}`) },
  ]))('$format: cuts $what to the image and leaves the far corner plain', async ({ format, label }) => {
    const bytes = await renderPlaceholderImage(request({ format, width: 120, height: 50, label }));
    const plain = decode(format, await renderPlaceholderImage(request({ format, width: 120, height: 50, label: [] })));
    const pixels = decode(format, bytes);
    expect(imageSize(bytes)).toMatchObject({ width: 120, height: 50 });
    const tolerance = format === 'jpeg' ? JPEG_TOLERANCE : 0;
    pixels.rgb(119, 49).forEach((v, c) => expect(Math.abs(v - plain.rgb(119, 49)[c]!)).toBeLessThanOrEqual(tolerance));
  });

  it.each(FORMATS)(`%s: draws at most PLACEHOLDER_MAX_LABEL_LINES (${PLACEHOLDER_MAX_LABEL_LINES}) lines`, async (format) => {
    const lines = Array.from({ length: PLACEHOLDER_MAX_LABEL_LINES + 3 }, (_, i) => `line ${i}`);
    const all = await renderPlaceholderImage(request({ format, width: 1024, height: 1024, label: lines }));
    const capped = await renderPlaceholderImage(request({ format, width: 1024, height: 1024, label: lines.slice(0, PLACEHOLDER_MAX_LABEL_LINES) }));
    const fewer = await renderPlaceholderImage(request({ format, width: 1024, height: 1024, label: lines.slice(0, PLACEHOLDER_MAX_LABEL_LINES - 1) }));
    expect(all.equals(capped)).toBe(true);
    expect(all.equals(fewer)).toBe(false);
  });

  it.each([
    { what: 'zero width', width: 0, height: 10 },
    { what: 'negative height', width: 10, height: -1 },
    { what: 'fractional width', width: 1.5, height: 10 },
    { what: 'NaN height', width: 10, height: Number.NaN },
    { what: 'a side above the maximum', width: PLACEHOLDER_MAX_SIDE + 1, height: 1 },
    { what: 'one row more than the largest area', width: 4096, height: 4097 },
    { what: 'the largest side squared', width: PLACEHOLDER_MAX_SIDE, height: PLACEHOLDER_MAX_SIDE },
  ])('refuses $what with a RangeError', ({ width, height }) => {
    expect(() => renderPlaceholderImage(request({ width, height }))).toThrow(RangeError);
    expect(() => new PlaceholderImageCache().render(request({ width, height }))).toThrow(RangeError);
  });

  // Budgets that hold the downloads `pnpm bench` makes small: a regression in the flat-row PNG
  // encoding or the JPEG settings multiplies these many times over.
  it.each([
    { format: 'png' as const, width: 4096, height: 2304, maxBytes: 120_000 },
    { format: 'jpeg' as const, width: 4096, height: 2304, maxBytes: 300_000 },
    { format: 'png' as const, width: 1024, height: 1024, maxBytes: 30_000 },
    { format: 'jpeg' as const, width: 1024, height: 1024, maxBytes: 60_000 },
  ])('$format $width x $height stays under $maxBytes bytes', async ({ format, width, height, maxBytes }) => {
    expect((await renderPlaceholderImage(request({ format, width, height }))).length).toBeLessThan(maxBytes);
  });
});

describe('bitmap font', () => {
  it('gives every printable ASCII character its own glyph, and only space is blank', () => {
    const seen = new Map<string, string>();
    for (let code = 0x20; code <= 0x7e; code++) {
      let bits = '';
      for (let y = 0; y < GLYPH_HEIGHT; y++) for (let x = 0; x < GLYPH_WIDTH; x++) bits += glyphInk(code, x, y) ? '1' : '0';
      const char = String.fromCharCode(code);
      expect(seen.get(bits), `${char} looks like another character`).toBeUndefined();
      expect(bits.includes('1'), `${char} has ink`).toBe(char !== ' ');
      seen.set(bits, char);
    }
  });
});

describe('placeholderCacheKey', () => {
  const base = request();
  it.each([
    { what: 'format', other: request({ format: 'jpeg' }) },
    { what: 'width', other: request({ width: 257 }) },
    { what: 'height', other: request({ height: 257 }) },
    { what: 'seed', other: request({ seed: 'seed-b' }) },
    { what: 'label text', other: request({ label: ['LumixAI'] }) },
    { what: 'label line breaks', other: request({ label: [LABEL.join(' ')] }) },
  ])('differs when the $what differs', ({ other }) => {
    expect(placeholderCacheKey(other)).not.toBe(placeholderCacheKey(base));
  });

  it('is equal for equal requests built separately', () => {
    expect(placeholderCacheKey(request({ label: [...LABEL] }))).toBe(placeholderCacheKey(base));
  });
});

describe('PlaceholderImageCache', () => {
  it('serves a repeated request from the cache and shares a render in flight', async () => {
    const cache = new PlaceholderImageCache(2);
    const [first, concurrent] = await Promise.all([cache.render(request()), cache.render(request())]);
    expect(concurrent).toBe(first);
    expect(await cache.render(request())).toBe(first);
  });

  it('renders again, to the same bytes, once an entry is evicted', async () => {
    const cache = new PlaceholderImageCache(1);
    const first = await cache.render(request());
    await cache.render(request({ seed: 'other' }));
    const again = await cache.render(request());
    expect(again).not.toBe(first);
    expect(again.equals(first)).toBe(true);
  });
});

describe('placeholderLabel', () => {
  const fields = { api: 'LumixAI', model: 'flux-kontext', width: 1024, height: 576, id: 'seed:7' };
  it.each([
    { what: 'a short prompt whole', prompt: 'a lighthouse', line: 'a lighthouse' },
    { what: 'whitespace collapsed', prompt: '  a \n lighthouse\t', line: 'a lighthouse' },
    {
      what: 'the first words of a long prompt',
      prompt: 'premium product render on glass, studio lighting, soft shadows',
      line: 'premium product render on glass...',
    },
    { what: 'the start of one very long word', prompt: 'x'.repeat(50), line: `${'x'.repeat(32)}...` },
  ])('keeps $what', ({ prompt, line }) => {
    expect(placeholderLabel({ ...fields, prompt })).toEqual(['LumixAI', 'flux-kontext', '1024x576', line, 'seed:7']);
  });
});

describe('readImageProvenance', () => {
  const provenance = { api: 'lumixai', jobId: 'job-7f3a', model: 'flux-kontext', prompt: 'a lighthouse at dusk' };

  it.each(FORMATS)('%s: reads back the API, job id, model, prompt and size written into the file', (format) => {
    const bytes = renderPlaceholderImage(request({ format, width: 640, height: 360, provenance }));
    expect(readImageProvenance(bytes)).toEqual({ ...provenance, format, width: 640, height: 360 });
  });

  it('writes it where other readers find it: a PNG tEXt chunk keyed imagegen-mock', () => {
    const { text } = decodePng(renderPlaceholderImage(request({ provenance })));
    expect(JSON.parse(text['imagegen-mock']!)).toEqual({ ...provenance, width: 256, height: 256 });
  });

  it('writes it where other readers find it: a JPEG COM segment before the scan', () => {
    const bytes = renderPlaceholderImage(request({ format: 'jpeg', provenance }));
    expect(jpegMarkers(bytes)).toContain(0xfe);
    expect(bytes.toString('latin1')).toContain('imagegen-mock {"api":"lumixai","jobId":"job-7f3a"');
  });

  it.each(FORMATS)('%s: keeps any prompt exactly, up to its first 200 characters', (format) => {
    const prompt = `naïve 日本 🙂 "quoted" \\ back\nslash ${'x'.repeat(300)}`;
    const read = readImageProvenance(renderPlaceholderImage(request({ format, provenance: { ...provenance, prompt } })));
    expect(read?.prompt).toBe([...prompt].slice(0, 200).join(''));
  });

  it.each(FORMATS)('%s: gives undefined for an image without it', (format) => {
    expect(readImageProvenance(renderPlaceholderImage(request({ format })))).toBeUndefined();
  });

  it('throws, like imageSize, for what is not an image', () => {
    expect(() => readImageProvenance(new TextEncoder().encode('<html>'))).toThrow(/not a PNG or JPEG/);
  });

  it('tells images of different jobs apart, and changes no pixel', () => {
    const a = renderPlaceholderImage(request({ provenance }));
    const b = renderPlaceholderImage(request({ provenance: { ...provenance, jobId: 'job-other' } }));
    expect(readImageProvenance(b)?.jobId).toBe('job-other');
    expect(a.equals(b)).toBe(false);
    expect(decodePng(a).data).toEqual(decodePng(b).data);
    expect(placeholderCacheKey(request({ provenance }))).not.toBe(placeholderCacheKey(request({ provenance: { ...provenance, jobId: 'job-other' } })));
  });
});

describe('imageSize', () => {
  // A progressive (SOF2) header after an APP0 segment: size is read past other segments and frame types.
  const progressive = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc2, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00]);

  it('reads a progressive JPEG frame header', () => {
    expect(imageSize(progressive)).toEqual({ format: 'jpeg', width: 32, height: 16 });
  });

  it.each([
    { what: 'nothing', bytes: new Uint8Array(0), error: /not a PNG or JPEG file \(starts with nothing\)/ },
    { what: 'text', bytes: new TextEncoder().encode('<html>not an image</html>'), error: /not a PNG or JPEG file \(starts with 3c68746d6c3e6e6f\)/ },
    { what: 'a PNG signature alone', bytes: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), error: /not a valid PNG: no IHDR/ },
    { what: 'a JPEG start marker alone', bytes: Uint8Array.from([0xff, 0xd8]), error: /not a valid JPEG: no frame header/ },
    { what: 'a JPEG cut inside its frame header', bytes: progressive.subarray(0, 14), error: /not a valid JPEG: no frame header/ },
    { what: 'a JPEG whose scan starts before any frame', bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00, 0x00]), error: /no frame header/ },
    { what: 'a JPEG with junk where a marker belongs', bytes: Uint8Array.from([0xff, 0xd8, 0x12, 0x34, 0x56, 0x78]), error: /expected a marker at byte 2/ },
    { what: 'a JPEG segment with an impossible length', bytes: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0x00, 0x00]), error: /has length 1/ },
  ])('says what is wrong with $what', ({ bytes, error }) => {
    expect(() => imageSize(bytes)).toThrow(error);
  });
});
