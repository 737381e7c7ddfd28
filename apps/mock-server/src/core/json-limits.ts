/** How complex a JSON request body may be before it is parsed. */
export interface JsonLimits {
  /** Deepest nesting of arrays and objects. */
  maxDepth: number;
  /** Most array items and object members in the whole body, counted together. */
  maxItems: number;
}

/**
 * Generous for every documented body (the five specs' examples nest at most five levels and hold
 * at most ~50 items) and far below what stalls the server: parsing and validating a 24 MB
 * `[[[[...]]]]` blocked the event loop for 3 s, a 24 MB object of two million members for 1.5 s.
 */
export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 64, maxItems: 10_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Why a raw JSON body is too complex to parse, or undefined when it is within `limits`. Runs
 * before `JSON.parse` and stops at the first byte over a limit. String contents, where a large
 * legitimate body keeps its bulk (inline base64 images), are skipped with a native search, so a
 * 24 MB body costs a few milliseconds. Malformed JSON passes: the parser then names the error.
 */
export function jsonComplexityError(body: Uint8Array, limits: JsonLimits = DEFAULT_JSON_LIMITS): string | undefined {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let depth = 0;
  let items = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === QUOTE) {
      i = closingQuote(bytes, i + 1);
      if (i < 0) return undefined;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limits.maxDepth) return `Request body nests deeper than ${limits.maxDepth} levels`;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    } else if (byte === COMMA && ++items >= limits.maxItems) {
      return `Request body has more than ${limits.maxItems} array items and object members`;
    }
  }
  return undefined;
}

/** Index of the quote that closes a string whose contents start at `from`; -1 if none does. */
function closingQuote(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf(QUOTE, from); at >= 0; at = bytes.indexOf(QUOTE, at + 1)) {
    let backslashes = 0;
    while (bytes[at - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}

/** A top-level string member found too long from the raw bytes, before any parsing. */
export interface OverlongString {
  field: string;
  maxLength: number;
}

/**
 * Most bytes one character (a code point, as `maxLength` counts) takes in a JSON string: a
 * character outside the BMP written as two escapes, `\uD83D\uDE00`.
 */
export const MAX_JSON_BYTES_PER_CHARACTER = 12;

/**
 * Finds, from the raw bytes of a JSON object body fed chunk by chunk as it arrives, the first
 * top-level member whose string value is certainly longer than its `maxLength` (in `maxLengths`):
 * more than {@link MAX_JSON_BYTES_PER_CHARACTER} bytes a character, whatever they hold. A 24 MB
 * prompt is then refused after its first few hundred kilobytes instead of being read, buffered,
 * parsed and validated while every other request waits. A value that might fit is left to the
 * parser and the schema; malformed JSON passes, for the parser to name.
 */
export class OverlongStringScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  /** Whether the string being read is a top-level key. */
  #isKey = false;
  /** Bytes of the string being read so far. */
  #length = 0;
  #keyBytes: number[] = [];
  /** The top-level key whose value comes next, once its closing quote is read. */
  #key: string | undefined;

  constructor(private readonly maxLengths: ReadonlyMap<string, number>) {}

  #overlong(): OverlongString | undefined {
    if (this.#depth !== 1 || this.#key === undefined) return undefined;
    const maxLength = this.maxLengths.get(this.#key);
    return maxLength !== undefined && this.#length > MAX_JSON_BYTES_PER_CHARACTER * maxLength ? { field: this.#key, maxLength } : undefined;
  }

  /** The first overlong member found so far, if any. */
  feed(chunk: Uint8Array): OverlongString | undefined {
    for (let i = 0; i < chunk.length; i++) {
      if (this.#inString && !this.#escaped && !this.#isKey) {
        // String contents are the bulk of a large body: skipped to the next quote or backslash
        // with native searches.
        const quote = chunk.indexOf(QUOTE, i);
        const backslash = chunk.indexOf(BACKSLASH, i);
        const stop = quote < 0 ? backslash : backslash < 0 ? quote : Math.min(quote, backslash);
        const to = stop < 0 ? chunk.length : stop;
        this.#length += to - i;
        i = to;
        const overlong = this.#overlong();
        if (overlong) return overlong;
        if (i >= chunk.length) break;
      }
      const byte = chunk[i]!;
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === BACKSLASH) this.#escaped = true;
        else if (byte === QUOTE) {
          this.#inString = false;
          if (this.#depth === 1 && this.#isKey) this.#key = this.#keyBytes.length <= 256 ? Buffer.from(this.#keyBytes).toString('utf8') : '';
          else if (this.#depth === 1) this.#key = undefined;
          continue;
        }
        this.#length++;
        if (this.#isKey) {
          if (this.#keyBytes.length <= 256) this.#keyBytes.push(byte);
        } else {
          const overlong = this.#overlong();
          if (overlong) return overlong;
        }
      } else if (byte === QUOTE) {
        this.#inString = true;
        this.#length = 0;
        this.#isKey = this.#depth === 1 && this.#key === undefined;
        if (this.#isKey) this.#keyBytes = [];
      } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        this.#depth++;
        if (this.#depth > 1) this.#key = undefined;
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        this.#depth--;
      } else if (byte === COMMA && this.#depth === 1) {
        this.#key = undefined;
      }
    }
    return undefined;
  }
}
