// A namespace import: a named `crc32` import would fail to link on Node before 20.15, before the
// package's Node check (src/require-supported-node.ts) could say which Node is needed.
import * as zlib from 'node:zlib';

import type { PlaceholderRaster } from './raster.js';

const { crc32 } = zlib;

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FILTER_NONE = 0;
/** Each byte the same as the one above it: a row that repeats the previous one is all zeros. */
const FILTER_UP = 2;

/**
 * An 8-bit palette PNG of the raster, with `text` as tEXt chunks (keyword -> Latin-1 text).
 *
 * Nothing here walks the pixels. A placeholder is runs of one palette entry (a band edge to edge, or
 * the box and ink cells of a label row), and deflate codes a run as one literal and a copy of the
 * byte before it (distance 1), 13 bits for every 258 bytes. So the zlib stream is written directly,
 * run by run, in one block with deflate's fixed Huffman codes, its Adler-32 summed per run in closed
 * form: a 4096 px row costs about 20 codes, and a label row repeated `scale` times costs one run of
 * zeros under the Up filter.
 */
export function encodePng(raster: PlaceholderRaster, text: Readonly<Record<string, string>> = {}): Buffer {
  const { width, height } = raster;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: palette
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    chunk('IHDR', header),
    chunk('PLTE', raster.palette),
    ...Object.entries(text).map(([keyword, value]) => chunk('tEXt', Buffer.from(`${keyword}\0${value}`, 'latin1'))),
    chunk('IDAT', zlibStream(raster)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function zlibStream(raster: PlaceholderRaster): Buffer {
  const { width, height, box } = raster;
  const out = new DeflateWriter(64 + height * (8 + 3 * Math.ceil(width / 258)));
  out.bytes(0x78, 0x01); // zlib header: deflate, 32 KiB window, no dictionary
  out.bits(0b011, 3); // the last block, fixed Huffman codes
  const boxRuns = box === undefined ? [] : labelRuns(raster);
  let previous: number[] | undefined;
  let previousBand = -1;
  for (let y = 0; y < height; y++) {
    const band = raster.bandOf(y);
    if (box === undefined || y < box.top || y >= box.bottom) {
      out.run(FILTER_NONE, 1);
      out.run(band, width);
      previous = undefined;
      continue;
    }
    const runs = boxRuns[Math.floor((y - box.top) / box.scale)]!;
    if (runs === previous && band === previousBand) {
      out.run(FILTER_UP, 1);
      out.run(0, width);
      continue;
    }
    out.run(FILTER_NONE, 1);
    if (box.left > 0) out.run(band, box.left);
    for (let i = 0; i < runs.length; i += 2) out.run(runs[i]!, runs[i + 1]!);
    if (box.right < width) out.run(band, width - box.right);
    previous = runs;
    previousBand = band;
  }
  return out.finish();
}

/** Per label row (one per `scale` image rows), the box's pixels as [palette entry, length] pairs, flattened. */
function labelRuns(raster: PlaceholderRaster): number[][] {
  const box = raster.box!;
  const { mask, maskWidth, scale } = box;
  const rows = Math.ceil((box.bottom - box.top) / scale);
  const all: number[][] = [];
  for (let my = 0; my < rows; my++) {
    const runs: number[] = [];
    let value = -1;
    let length = 0;
    for (let x = box.left; x < box.right; ) {
      const mx = Math.floor((x - box.left) / scale);
      const ink = my < box.maskHeight && mx < maskWidth && mask[my * maskWidth + mx] === 1;
      const next = ink ? raster.inkIndex : raster.boxIndex;
      const span = mx < maskWidth ? Math.min(scale, box.right - x) : box.right - x;
      if (next === value) length += span;
      else {
        if (length > 0) runs.push(value, length);
        value = next;
        length = span;
      }
      x += span;
    }
    runs.push(value, length);
    all.push(runs);
  }
  return all;
}

// Deflate's fixed Huffman code of each literal/length symbol, bit-reversed (deflate sends Huffman
// codes from their first bit, and this writer fills bytes from their low bit), and its length.
const LITERAL_CODE = new Uint16Array(288);
const LITERAL_BITS = new Uint8Array(288);
for (let symbol = 0; symbol < 288; symbol++) {
  const [code, bits] =
    symbol < 144 ? [0x30 + symbol, 8] : symbol < 256 ? [0x190 + symbol - 144, 9] : symbol < 280 ? [symbol - 256, 7] : [0xc0 + symbol - 280, 8];
  LITERAL_CODE[symbol] = reverse(code, bits);
  LITERAL_BITS[symbol] = bits;
}
// A copy of `length` bytes (3..258) from distance 1: length symbol, its extra bits, and distance code 0
// (five zero bits), as one write.
const BASE_LENGTHS = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const COPY_CODE = new Uint32Array(259);
const COPY_BITS = new Uint8Array(259);
for (let length = 3; length <= 258; length++) {
  let index = 28;
  if (length < 258) while (BASE_LENGTHS[--index]! > length);
  const extraBits = length === 258 ? 0 : index < 8 ? 0 : Math.floor((index - 4) / 4);
  const symbol = 257 + index;
  COPY_CODE[length] = LITERAL_CODE[symbol]! | ((length - BASE_LENGTHS[index]!) << LITERAL_BITS[symbol]!);
  COPY_BITS[length] = LITERAL_BITS[symbol]! + extraBits + 5;
}

function reverse(code: number, bits: number): number {
  let reversed = 0;
  for (let i = 0; i < bits; i++) reversed |= ((code >> i) & 1) << (bits - 1 - i);
  return reversed;
}

const ADLER_MOD = 65521;

/** A zlib stream written run by run: deflate codes, low bit first, with the Adler-32 of what they encode. */
class DeflateWriter {
  #buffer: Buffer;
  #at = 0;
  #pending = 0;
  #pendingBits = 0;
  #s1 = 1;
  #s2 = 0;

  constructor(capacity: number) {
    this.#buffer = Buffer.allocUnsafe(capacity);
  }

  bytes(...values: number[]): void {
    this.#reserve(values.length);
    for (const value of values) this.#buffer[this.#at++] = value;
  }

  bits(value: number, count: number): void {
    this.#pending |= value << this.#pendingBits;
    this.#pendingBits += count;
    while (this.#pendingBits >= 8) {
      this.#buffer[this.#at++] = this.#pending & 0xff;
      this.#pending >>>= 8;
      this.#pendingBits -= 8;
    }
  }

  /** `length` bytes of `value`: one literal, then copies of the byte before. */
  run(value: number, length: number): void {
    // Adler-32 over `length` equal bytes: s1 grows by value each byte, s2 by each new s1.
    this.#s2 = (this.#s2 + length * this.#s1 + ((value * length * (length + 1)) / 2)) % ADLER_MOD;
    this.#s1 = (this.#s1 + value * length) % ADLER_MOD;
    this.#reserve(8 + 3 * Math.ceil(length / 258));
    this.bits(LITERAL_CODE[value]!, LITERAL_BITS[value]!);
    let left = length - 1;
    while (left >= 3) {
      // Never leave one or two bytes behind a full copy: they would need literals of their own.
      const copy = left <= 258 ? left : left - 258 < 3 ? left - 3 : 258;
      this.bits(COPY_CODE[copy]!, COPY_BITS[copy]!);
      left -= copy;
    }
    for (; left > 0; left--) this.bits(LITERAL_CODE[value]!, LITERAL_BITS[value]!);
  }

  finish(): Buffer {
    this.bits(LITERAL_CODE[256]!, LITERAL_BITS[256]!); // end of block
    if (this.#pendingBits > 0) this.bits(0, 8 - this.#pendingBits);
    this.#reserve(4);
    this.#buffer.writeUInt32BE(((this.#s2 << 16) | this.#s1) >>> 0, this.#at);
    this.#at += 4;
    return this.#buffer.subarray(0, this.#at);
  }

  #reserve(bytes: number): void {
    if (this.#at + bytes + 4 <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.#buffer.length * 2, this.#at + bytes + 4));
    this.#buffer.copy(grown, 0, 0, this.#at);
    this.#buffer = grown;
  }
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
