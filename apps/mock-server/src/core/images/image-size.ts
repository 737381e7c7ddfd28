import { PNG_SIGNATURE } from './encode-png.js';

export type ImageFormat = 'png' | 'jpeg';

export interface ImageSize {
  format: ImageFormat;
  width: number;
  height: number;
}

/** Start-of-frame markers (SOF0-SOF15) that carry the frame size; C4, C8 and CC share the range but are other segments. */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
/** Markers with no length field: TEM, RST0-RST7, SOI. */
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8);

/**
 * Format and pixel size of a PNG (from IHDR) or JPEG (from its start-of-frame segment, baseline or
 * progressive) without decoding it. Throws an Error saying what is wrong for anything else,
 * including a file cut short before its size.
 */
export function imageSize(bytes: Uint8Array): ImageSize {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (PNG_SIGNATURE.every((byte, i) => view[i] === byte)) {
    if (view.length < 24 || view.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a valid PNG: no IHDR chunk after the signature');
    return { format: 'png', width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
  }
  if (view[0] === 0xff && view[1] === 0xd8) return jpegSize(view);
  throw new Error(`not a PNG or JPEG file (starts with ${view.subarray(0, 8).toString('hex') || 'nothing'})`);
}

function jpegSize(view: Buffer): ImageSize {
  let at = 2;
  while (at + 4 <= view.length) {
    if (view[at] !== 0xff) throw new Error(`not a valid JPEG: expected a marker at byte ${at}`);
    const marker = view[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // image data or end before any frame header
    const length = view.readUInt16BE(at + 2);
    if (isStartOfFrame(marker)) {
      if (at + 9 > view.length) break;
      const height = view.readUInt16BE(at + 5);
      const width = view.readUInt16BE(at + 7);
      if (width === 0 || height === 0) throw new Error('not a supported JPEG: the frame header gives no size');
      return { format: 'jpeg', width, height };
    }
    if (length < 2) throw new Error(`not a valid JPEG: segment at byte ${at} has length ${length}`);
    at += 2 + length;
  }
  throw new Error('not a valid JPEG: no frame header (SOF) before the image data or the end of the file');
}
