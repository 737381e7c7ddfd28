import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import encodeMozjpeg, { init as initMozjpeg } from '@jsquash/jpeg/encode.js';

import type { PlaceholderRaster } from './raster.js';

/**
 * MozJPEG settings: quality 80 with 4:2:0 chroma keeps a flat placeholder small without visible
 * blocking, and the label is white on black (or the reverse), so halving chroma does not blur it.
 * progressive: false makes a sequential SOF0 frame and baseline: true keeps 8-bit quantisation
 * tables, together a baseline JPEG that every decoder reads; optimised Huffman tables stay baseline.
 */
const OPTIONS = {
  quality: 80,
  progressive: false,
  baseline: true,
  optimize_coding: true,
  auto_subsample: false,
  chroma_subsample: 2,
} as const;

/**
 * A WebAssembly memory grows to fit the largest image encoded in it and never shrinks: after a
 * 4096x4096 render one instance would hold a few hundred MB for the life of the server. Encoding
 * anything larger than this in a fresh instance, dropped afterwards, gives that memory back.
 */
const SHARED_INSTANCE_MAX_PIXELS = 2048 * 2048;

let compiled: Promise<WebAssembly.Module> | undefined;
let sharedReady: Promise<void> | undefined;

/**
 * The codec's own loader finds its .wasm by URL, which Node's fetch cannot read from disk, so it
 * gets the compiled module instead. The file ships inside the npm package (nothing is fetched or
 * built at install).
 */
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm')).then((bytes) =>
    WebAssembly.compile(bytes),
  );
  return compiled;
}

// init() takes a compiled module (see its source); its declared type only names the options form.
const instantiate = async () => initMozjpeg((await wasmModule()) as Parameters<typeof initMozjpeg>[0]);

/** A baseline JPEG of the raster. */
export async function encodeJpeg(raster: PlaceholderRaster): Promise<Buffer> {
  const { width, height } = raster;
  const large = width * height > SHARED_INSTANCE_MAX_PIXELS;
  // The codec keeps one current instance: a large image gets a new one, and the next small image
  // a new shared one again, so the large one's memory is garbage once its encode returns.
  if (large) {
    sharedReady = undefined;
    await instantiate();
  } else {
    sharedReady ??= instantiate();
    await sharedReady;
  }
  const data = new Uint8ClampedArray(width * height * 4);
  // Plain rows are one 32-bit RGBA word repeated; writing words is several times faster than bytes.
  const words = new Uint32Array(data.buffer);
  const pixel = new Uint8Array([0, 0, 0, 255]);
  const word = new Uint32Array(pixel.buffer);
  for (let y = 0; y < height; y++) {
    if (raster.isPlainRow(y)) {
      raster.writeRowColour(y, pixel, 0);
      words.fill(word[0]!, y * width, (y + 1) * width);
    } else {
      raster.paintRow(y, data, y * width * 4, 4);
    }
  }
  const jpeg = await encodeMozjpeg({ data, width, height, colorSpace: 'srgb' }, OPTIONS);
  return Buffer.from(jpeg);
}
