// mozjpeg's decoder (libjpeg-turbo built to WebAssembly): a JPEG decoder independent of the mock's
// encoder, about seven times faster than jpeg-js on the 2048 px outputs.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import decode, { init } from '@jsquash/jpeg/decode.js';

let ready: Promise<void> | undefined;

/** Decodes a JPEG to RGBA pixels, loading the codec on the first call. */
export async function decodeWithLibjpeg(bytes: Uint8Array): Promise<Awaited<ReturnType<typeof decode>>> {
  ready ??= (async () => {
    // The codec's loader finds its .wasm by URL, which Node cannot fetch from disk: it gets the module.
    const wasm = await readFile(createRequire(import.meta.url).resolve('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'));
    await init((await WebAssembly.compile(wasm)) as Parameters<typeof init>[0]);
  })();
  await ready;
  return decode(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
}
