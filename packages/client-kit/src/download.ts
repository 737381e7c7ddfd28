import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

/** Reads the whole body into memory; for small files, or when the bytes are needed anyway. */
export async function readResponseBytes(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** Options of {@link saveResponseToFile}. */
export interface SaveResponseOptions {
  /** Stops the download, removes the partial file and rejects with `signal.reason`. Default: none. */
  signal?: AbortSignal;
}

/** Where {@link saveResponseToFile} wrote, and how much. */
export interface SavedFile {
  /** Absolute path of the file. */
  path: string;
  /** Number of bytes written. */
  bytes: number;
}

/**
 * Streams the body to `filePath` without buffering it in memory. It is written to a temporary
 * file beside the target and renamed into place only once complete, so `filePath` is never left
 * half-written: an existing file is replaced only on success, and on failure nothing is left.
 * A response without a body produces an empty file. The response status is not checked.
 */
export async function saveResponseToFile(
  response: Response,
  filePath: string,
  options: SaveResponseOptions = {},
): Promise<SavedFile> {
  const { signal } = options;
  signal?.throwIfAborted();
  const target = path.resolve(filePath);
  // Same directory, so the rename is atomic (no cross-device copy); dot-prefixed to stay out of listings.
  const tempPath = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
  const body = response.body
    ? // The DOM and node:stream/web typings of ReadableStream differ only nominally.
      Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)
    : Readable.from([]);
  const file = createWriteStream(tempPath, { flags: 'wx' });
  try {
    await pipeline(body, file, signal ? { signal } : {});
    await rename(tempPath, target);
  } catch (error) {
    // The stream may still be opening the file; removing it before then would leave it behind.
    if (!file.closed) await new Promise<void>((resolve) => file.once('close', () => resolve()));
    await rm(tempPath, { force: true });
    // pipeline wraps an abort in its own AbortError; callers expect the reason they gave.
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
  return { path: target, bytes: file.bytesWritten };
}

/**
 * The file name a `Content-Disposition` header suggests, reduced to its last path segment so it
 * is safe to join to a directory. Prefers RFC 6266 / 5987 `filename*=UTF-8''…` over `filename=`;
 * returns `undefined` when there is none, or it is empty, `.` or `..`.
 */
export function filenameFromContentDisposition(header: string | null): string | undefined {
  if (header == null) return undefined;
  const params = parseParameters(header);
  const extended = params.get('filename*');
  const name = (extended === undefined ? undefined : decodeExtendedValue(extended)) ?? params.get('filename');
  return name === undefined ? undefined : safeBasename(name);
}

// name=token or name="quoted \"string\""; the quoted alternative consumes any ';' inside quotes.
const PARAMETER = /(?:^|;)\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;

function parseParameters(header: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [, name = '', rawValue = ''] of header.matchAll(PARAMETER)) {
    const key = name.toLowerCase();
    if (params.has(key)) continue;
    const value = rawValue.trim();
    const isQuoted = value.length >= 2 && value.startsWith('"') && value.endsWith('"');
    params.set(key, isQuoted ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value);
  }
  return params;
}

// RFC 5987 ext-value: charset'language'percent-encoded
const EXTENDED_VALUE = /^([^']*)'[^']*'(.*)$/;

function decodeExtendedValue(value: string): string | undefined {
  const match = EXTENDED_VALUE.exec(value);
  if (!match) return undefined;
  const [, charset = '', encoded = ''] = match;
  switch (charset.toLowerCase()) {
    case 'utf-8':
      try {
        return decodeURIComponent(encoded);
      } catch {
        return undefined;
      }
    case 'iso-8859-1':
      return encoded.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    default:
      return undefined;
  }
}

function safeBasename(name: string): string | undefined {
  // Both separators: a Windows-style name must not smuggle a directory in either.
  // eslint-disable-next-line no-control-regex
  const base = name.split(/[/\\]/).pop()?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  return base === undefined || base === '' || base === '.' || base === '..' ? undefined : base;
}
