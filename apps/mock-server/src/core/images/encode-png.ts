import { crc32, deflateSync } from 'node:zlib';

import type { PlaceholderRaster } from './raster.js';

export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FILTER_SUB = 1;

/**
 * An 8-bit RGB PNG of the raster. Every row uses the "Sub" filter (each byte minus the one a pixel to
 * its left): a plain gradient row is then its first pixel and zeros, left as Buffer.alloc made them,
 * so only label rows cost per-pixel work, and the zeros deflate to almost nothing even at 4096 px.
 */
export function encodePng(raster: PlaceholderRaster): Buffer {
  const { width, height } = raster;
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  const row = Buffer.alloc(width * 3);
  for (let y = 0; y < height; y++) {
    const at = y * stride;
    raw[at] = FILTER_SUB;
    if (raster.isPlainRow(y)) {
      raster.writeRowColour(y, raw, at + 1);
      continue;
    }
    raster.paintRow(y, row, 0, 3);
    row.copy(raw, at + 1, 0, 3);
    for (let i = 3; i < row.length; i++) raw[at + 1 + i] = row[i]! - row[i - 3]!; // wraps modulo 256, as Sub wants
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour RGB
  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
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
