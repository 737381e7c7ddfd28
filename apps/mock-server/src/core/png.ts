import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A real, decodable RGB PNG of the given size whose colours are derived from `seedText`, so equal
 * inputs give byte-identical files. Each row is one colour of a vertical gradient, written with
 * the PNG "Sub" filter: a row is then one pixel and zeros, which deflates to almost nothing even
 * at 4096 px, keeping generation fast.
 */
export function renderPlaceholderPng(width: number, height: number, seedText: string): Buffer {
  const digest = createHash('sha256').update(seedText).digest();
  const top = [digest[0] ?? 0, digest[1] ?? 0, digest[2] ?? 0];
  const bottom = [digest[3] ?? 0, digest[4] ?? 0, digest[5] ?? 0];
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const t = height === 1 ? 0 : y / (height - 1);
    const offset = y * stride;
    raw[offset] = 1; // filter type Sub: later pixels repeat the first, so they encode as zeros
    for (let c = 0; c < 3; c++) raw[offset + 1 + c] = Math.round((top[c] ?? 0) + ((bottom[c] ?? 0) - (top[c] ?? 0)) * t);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour RGB
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Reads width and height back from a PNG's IHDR chunk. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!view.subarray(0, 8).equals(SIGNATURE) || view.toString('ascii', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG');
  }
  return { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
}
