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
