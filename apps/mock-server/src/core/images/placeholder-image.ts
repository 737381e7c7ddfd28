import { createHash } from 'node:crypto';

import { LruCache } from '../lru-cache.js';
import { encodeJpeg } from './encode-jpeg.js';
import { encodePng } from './encode-png.js';
import type { ImageFormat } from './image-size.js';
import { jpegProvenanceComment, PROVENANCE_KEYWORD, PROVENANCE_PROMPT_CHARACTERS, provenanceText } from './provenance.js';
import type { ImageProvenance } from './provenance.js';
import { PlaceholderRaster } from './raster.js';

export interface PlaceholderImageRequest {
  /** File format of the result: 'png' (8-bit RGB) or 'jpeg' (baseline). No default. */
  format: ImageFormat;
  /** Exact pixel size of the result, each side an integer from 1 to PLACEHOLDER_MAX_SIDE. No default. */
  width: number;
  height: number;
  /** Any text; the gradient's two colours come from its SHA-256, so equal seeds give equal colours. No default. */
  seed: string;
  /**
   * Lines drawn in a box at the top left, so a person can tell which request made the image (see
   * placeholderLabel). Characters outside printable ASCII are drawn as '?'; lines past
   * PLACEHOLDER_MAX_LABEL_LINES and whatever does not fit the image are cut. An empty list draws no box.
   */
  label: readonly string[];
  /**
   * Written into the file (PNG tEXt, JPEG COM) so a test can tell which request made it without
   * reading pixels; see readImageProvenance. Default: none.
   */
  provenance?: ImageProvenance;
}

/**
 * The largest side and the largest area a placeholder may have: room for every size the vendors
 * document (4K at most) and for long panoramas, while bounding a render's memory (a 4096x4096 JPEG
 * takes a few hundred MB while it is encoded).
 */
export const PLACEHOLDER_MAX_SIDE = 8192;
export const PLACEHOLDER_MAX_PIXELS = 4096 * 4096;

/** A label is a few lines, not a page: this bounds how much of the image, and of the file, it takes. */
export const PLACEHOLDER_MAX_LABEL_LINES = 6;

/** The Content-Type to serve each format with. */
export const PLACEHOLDER_CONTENT_TYPE: Readonly<Record<ImageFormat, string>> = { png: 'image/png', jpeg: 'image/jpeg' };

/**
 * A real, decodable placeholder image: a vertical gradient in colours derived from `seed`, with the
 * `label` drawn on it in a bitmap font that grows with the image. Equal requests give byte-identical
 * files. Throws a RangeError for a size outside 1..PLACEHOLDER_MAX_SIDE or above PLACEHOLDER_MAX_PIXELS.
 *
 * Rendering costs what the label costs, not what the pixels do (a 4096 px image well under 10 ms):
 * the encoders write runs and repeated blocks rather than pixels (see encode-png.ts, encode-jpeg.ts).
 */
export function renderPlaceholderImage(request: PlaceholderImageRequest): Buffer {
  checkSize(request);
  const { format, width, height, seed, provenance } = request;
  const raster = new PlaceholderRaster(width, height, seed, request.label.slice(0, PLACEHOLDER_MAX_LABEL_LINES));
  const text = provenance && provenanceText(provenance, width, height);
  if (format === 'png') return encodePng(raster, text === undefined ? {} : { [PROVENANCE_KEYWORD]: text });
  return encodeJpeg(raster, text === undefined ? undefined : jpegProvenanceComment(text));
}

/**
 * The cache key of a request: equal keys render equal bytes (different keys may still render alike,
 * e.g. labels that differ only past what fits).
 */
export function placeholderCacheKey({ format, width, height, seed, label, provenance }: PlaceholderImageRequest): string {
  return JSON.stringify([format, width, height, seed, label, provenance ?? null]);
}

/**
 * Renders through a least-recently-used cache of finished files, so polling clients and repeated
 * downloads do not pay for a render each time; concurrent requests for one image share one render.
 * A count bound is enough: no placeholder allowed reaches 0.5 MB in either format, label included.
 */
export class PlaceholderImageCache {
  readonly #cache: LruCache<string, Promise<Buffer>>;

  /** @param capacity how many rendered files to keep; default 16. */
  constructor(capacity = 16) {
    this.#cache = new LruCache(capacity);
  }

  render(request: PlaceholderImageRequest): Promise<Buffer> {
    checkSize(request); // before caching, so a refused size never occupies an entry
    return this.#cache.getOrCreate(placeholderCacheKey(request), async () => renderPlaceholderImage(request));
  }
}

export interface PlaceholderLabelFields {
  /** The vendor API's display name, e.g. "LumixAI". */
  api: string;
  model: string;
  width: number;
  height: number;
  /** The whole prompt; the label keeps its first words. */
  prompt: string;
  /** What tells this request from another with the same prompt: a seed, a job or task id. */
  id: string;
}

/** How many characters of the prompt a label keeps, cut at a word boundary. */
const PROMPT_CHARACTERS = 32;

/**
 * What a job keeps of its prompt: all of a short one; of a long one, the start its images show
 * (label and provenance) and a digest of the whole, so two long prompts still draw two images. A
 * job is kept for a day: 100,000 of them holding 32,000-character prompts would be gigabytes.
 */
export function retainedPrompt(prompt: string): string {
  // No more UTF-16 units than the limit is no more characters either: kept whole without a scan.
  if (prompt.length <= PROVENANCE_PROMPT_CHARACTERS) return prompt;
  const start = [...prompt.slice(0, 2 * PROVENANCE_PROMPT_CHARACTERS)].slice(0, PROVENANCE_PROMPT_CHARACTERS).join('');
  if (start.length === prompt.length) return prompt;
  return `${start} #${createHash('sha256').update(prompt).digest('hex').slice(0, 16)}`;
}

/** The label every API's placeholders carry, one field a line: API, model, WxH, prompt start, id. */
export function placeholderLabel({ api, model, width, height, prompt, id }: PlaceholderLabelFields): string[] {
  return [api, model, `${width}x${height}`, promptStart(prompt), id];
}

function promptStart(prompt: string): string {
  const words = prompt.trim().split(/\s+/);
  const whole = words.join(' ');
  let start = '';
  for (const word of words) {
    const next = start === '' ? word : `${start} ${word}`;
    if (next.length > PROMPT_CHARACTERS) break;
    start = next;
  }
  if (start === '') start = (words[0] ?? '').slice(0, PROMPT_CHARACTERS);
  // A comma or full stop right before the ellipsis reads as a typo, so it goes.
  return start.length < whole.length ? `${start.replace(/[,;:.]+$/, '')}...` : start;
}

function checkSize({ width, height }: PlaceholderImageRequest): void {
  for (const [name, side] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(side) || side < 1 || side > PLACEHOLDER_MAX_SIDE) {
      throw new RangeError(`placeholder ${name} must be an integer from 1 to ${PLACEHOLDER_MAX_SIDE}, got ${side}`);
    }
  }
  if (width * height > PLACEHOLDER_MAX_PIXELS) {
    throw new RangeError(`placeholder ${width}x${height} has more than ${PLACEHOLDER_MAX_PIXELS} pixels`);
  }
}
