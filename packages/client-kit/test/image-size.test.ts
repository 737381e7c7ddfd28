import { describe, expect, it } from 'vitest';

import { imageDimensions } from '../src/index.js';

const bytes = (...parts: (number[] | string)[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)));
const u16le = (n: number) => [n & 0xff, n >> 8];
const u16be = (n: number) => [n >> 8, n & 0xff];
const u32be = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];

describe('imageDimensions', () => {
  it.each([
    ['PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], u32be(13), 'IHDR', u32be(1024), u32be(576)), { width: 1024, height: 576 }],
    ['GIF', bytes('GIF89a', u16le(320), u16le(200)), { width: 320, height: 200 }],
    // SOI, an APP0 segment to skip, then SOF0: length, precision, height, width.
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0], u16be(4), [0, 0], [0xff, 0xc0], u16be(17), [8], u16be(720), u16be(1280), [3]), { width: 1280, height: 720 }],
    ['WebP (VP8X)', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8X', [10, 0, 0, 0], [0, 0, 0, 0], [0xff, 0x03, 0], [0x3f, 0x02, 0]), { width: 1024, height: 576 }],
    ['WebP (VP8L)', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8L', [0, 0, 0, 0], [0x2f], [0x3f, 0xc0, 0x0f, 0], [0, 0, 0, 0, 0]), { width: 64, height: 64 }],
  ])('reads a %s header', (_format, image, size) => {
    expect(imageDimensions(image)).toEqual(size);
  });

  it.each([
    ['a truncated PNG', bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a], u32be(13), 'IHDR', [0, 0])],
    ['a JPEG without a frame', bytes([0xff, 0xd8, 0xff, 0xe0], u16be(4), [0, 0], [0, 0, 0, 0, 0, 0, 0, 0])],
    ['text', bytes('hello, world: not an image')],
    ['nothing', new Uint8Array()],
  ])('is undefined for %s', (_name, image) => {
    expect(imageDimensions(image)).toBeUndefined();
  });
});
