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
  /** Bytes the string being read may have before it is certainly too long (Infinity: no limit). */
  #limit = Number.POSITIVE_INFINITY;
  /** The top-level key being read, as far as it could still name a limited field. */
  #keyText = '';
  /** The top-level key whose value comes next, once its closing quote is read. */
  #key: string | undefined;
  readonly #longestName: number;
  #items = 0;
  /**
   * Set once the body is past `limits`: {@link jsonComplexityError} refuses it whatever its strings
   * hold, so scanning on would only spend time on a hostile shape.
   */
  done = false;

  constructor(
    private readonly maxLengths: ReadonlyMap<string, number>,
    private readonly limits: JsonLimits = DEFAULT_JSON_LIMITS,
  ) {
    this.#longestName = Math.max(0, ...[...maxLengths.keys()].map((name) => name.length));
  }

  /** The first overlong member found so far, if any. */
  feed(chunk: Uint8Array): OverlongString | undefined {
    if (this.done) return undefined;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // Where the next quote and backslash are, found once per stretch with native searches: string
    // contents are the bulk of a large body, and searching again at every escape would be quadratic.
    let nextQuote = -2;
    let nextBackslash = -2;
    for (let i = 0; i < bytes.length; i++) {
      if (this.#inString) {
        if (this.#escaped) {
          this.#escaped = false;
          if (this.#take(bytes, i, i + 1)) return this.#overlong();
          continue;
        }
        if (nextQuote !== -1 && nextQuote < i) nextQuote = bytes.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = bytes.indexOf(BACKSLASH, i);
        const stop = Math.min(nextQuote < 0 ? bytes.length : nextQuote, nextBackslash < 0 ? bytes.length : nextBackslash);
        if (this.#take(bytes, i, stop)) return this.#overlong();
        i = stop;
        if (i >= bytes.length) break;
        if (bytes[i] === BACKSLASH) {
          this.#escaped = true;
          if (this.#take(bytes, i, i + 1)) return this.#overlong();
          continue;
        }
        this.#inString = false;
        if (this.#depth === 1) this.#key = this.#isKey ? this.#keyText : undefined;
        continue;
      }
      const byte = bytes[i];
      if (byte === QUOTE) {
        this.#inString = true;
        this.#length = 0;
        this.#isKey = this.#depth === 1 && this.#key === undefined;
        this.#keyText = '';
        const maxLength = !this.#isKey && this.#depth === 1 && this.#key !== undefined ? this.maxLengths.get(this.#key) : undefined;
        this.#limit = maxLength === undefined ? Number.POSITIVE_INFINITY : MAX_JSON_BYTES_PER_CHARACTER * maxLength;
      } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
        if (++this.#depth > this.limits.maxDepth) return this.#giveUp();
        if (this.#depth > 1) this.#key = undefined;
      } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
        this.#depth--;
      } else if (byte === COMMA) {
        if (++this.#items >= this.limits.maxItems) return this.#giveUp();
        if (this.#depth === 1) this.#key = undefined;
      }
    }
    return undefined;
  }

  #giveUp(): undefined {
    this.done = true;
    return undefined;
  }

  /** Counts string bytes `from`..`to`; true once the string is certainly over its limit. */
  #take(bytes: Buffer, from: number, to: number): boolean {
    this.#length += to - from;
    // A key longer than every limited name names none of them: only its start is kept.
    if (this.#isKey) {
      for (let at = from; at < to && this.#keyText.length <= this.#longestName; at++) this.#keyText += String.fromCharCode(bytes[at]!);
    }
    return this.#length > this.#limit;
  }

  #overlong(): OverlongString {
    const field = this.#key!;
    return { field, maxLength: this.maxLengths.get(field)! };
  }
}
