import { imageSize } from './image-size.js';
import type { ImageFormat } from './image-size.js';

/** Which request made a placeholder image, as the mock writes it into the file. */
export interface ImageProvenance {
  /** The API's slug, e.g. `lumixai`. */
  api: string;
  /** The id the API handed out for the job (task, generation, request) the image belongs to. */
  jobId: string;
  /** The model the job ran on, as the request named it. */
  model: string;
  /** The start of the prompt: its first {@link PROVENANCE_PROMPT_CHARACTERS} characters. */
  prompt: string;
}

/** What {@link readImageProvenance} finds: the provenance, and the file's format and pixel size. */
export interface ImageProvenanceRecord extends ImageProvenance {
  format: ImageFormat;
  width: number;
  height: number;
}

/** How much of the prompt an image carries: enough to tell requests apart, never a whole document. */
export const PROVENANCE_PROMPT_CHARACTERS = 200;

/** The PNG tEXt keyword, and the start of the JPEG COM text, that mark the mock's provenance. */
export const PROVENANCE_KEYWORD = 'imagegen-mock';

/**
 * The provenance as text: JSON with every character outside ASCII escaped, so it is valid Latin-1
 * (all a tEXt chunk or a COM segment holds) and reads back exactly.
 */
export function provenanceText(provenance: ImageProvenance, width: number, height: number): string {
  const { api, jobId, model } = provenance;
  const prompt = [...provenance.prompt].slice(0, PROVENANCE_PROMPT_CHARACTERS).join('');
  return JSON.stringify({ api, jobId, model, width, height, prompt }).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Reads the provenance the mock server writes into every placeholder image (a PNG `tEXt` chunk or a
 * JPEG `COM` segment with the keyword `imagegen-mock`): which API, job id, model and prompt made it,
 * with the file's format and pixel size. Lets a test assert which request an image came from without
 * decoding pixels. Returns `undefined` for an image without it (one the mock did not make); throws,
 * like {@link imageSize}, for anything that is not a PNG or JPEG.
 */
export function readImageProvenance(bytes: Uint8Array): ImageProvenanceRecord | undefined {
  const size = imageSize(bytes);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = size.format === 'png' ? pngText(view) : jpegComment(view);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const fields = parsed as Record<string, unknown>;
  const strings = ['api', 'jobId', 'model', 'prompt'] as const;
  if (typeof parsed !== 'object' || parsed === null || strings.some((key) => typeof fields[key] !== 'string')) return undefined;
  const [api, jobId, model, prompt] = strings.map((key) => fields[key] as string) as [string, string, string, string];
  return { api, jobId, model, prompt, ...size };
}

const PNG_TEXT_PREFIX = `${PROVENANCE_KEYWORD}\0`;

/** The text of the provenance tEXt chunk, from the chunks before the image data. */
function pngText(view: Buffer): string | undefined {
  for (let at = 8; at + 12 <= view.length; ) {
    const length = view.readUInt32BE(at);
    const type = view.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT' || type === 'IEND' || at + 12 + length > view.length) return undefined;
    if (type === 'tEXt') {
      const data = view.toString('latin1', at + 8, at + 8 + length);
      if (data.startsWith(PNG_TEXT_PREFIX)) return data.slice(PNG_TEXT_PREFIX.length);
    }
    at += 12 + length;
  }
  return undefined;
}

const JPEG_COMMENT_PREFIX = `${PROVENANCE_KEYWORD} `;

/** The text of the provenance COM segment, from the segments before the scan. */
function jpegComment(view: Buffer): string | undefined {
  for (let at = 2; at + 4 <= view.length; ) {
    const marker = view[at + 1]!;
    if (view[at] !== 0xff || marker === 0xda || marker === 0xd9) return undefined;
    const length = view.readUInt16BE(at + 2);
    if (marker === 0xfe) {
      const data = view.toString('latin1', at + 4, Math.min(view.length, at + 2 + length));
      if (data.startsWith(JPEG_COMMENT_PREFIX)) return data.slice(JPEG_COMMENT_PREFIX.length);
    }
    at += 2 + length;
  }
  return undefined;
}

/** The COM text of a JPEG carrying `text`. */
export const jpegProvenanceComment = (text: string) => `${JPEG_COMMENT_PREFIX}${text}`;
