import { createHmac, timingSafeEqual } from 'node:crypto';

/** Hash functions a webhook signature may use. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

/** How the digest is written in the signature. */
export type HmacEncoding = 'hex' | 'base64' | 'base64url';

/** A secret as configured (text, encoded as UTF-8) or raw key bytes. */
export type HmacSecret = string | Uint8Array;

/** How a vendor writes its signature, e.g. `sha256=<hex>`. */
export interface HmacSignatureFormat {
  /** Hash function. Default: `'sha256'`. */
  algorithm?: HmacAlgorithm;
  /** Encoding of the digest: hex in either case, base64 padded, base64url unpadded. Default: `'hex'`. */
  encoding?: HmacEncoding;
  /** Text before the digest, matched exactly (e.g. `'sha256='`). Default: `''`. */
  prefix?: string;
}

/** The outcome of {@link verifyHmacSignature}. */
export type HmacVerification =
  | {
      valid: true;
      /** Index in the secrets list of the secret that matched (the first one, if several did). */
      secretIndex: number;
    }
  | {
      valid: false;
      /**
       * `malformed`: not `prefix` + a digest of the right encoding and length, so no secret could
       * have produced it. `mismatch`: well formed, but no secret produced it over these bytes.
       */
      reason: 'malformed' | 'mismatch';
    };

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

// Buffer.from(text, encoding) skips characters it cannot decode instead of failing, so a digest is
// checked against its alphabet and length first; otherwise "ab!!cd" would verify like "abcd".
// Hex may be either case; base64 is padded and base64url unpadded, as node:crypto writes them.
const DIGEST_ALPHABET: Record<HmacEncoding, RegExp> = {
  hex: /^[0-9a-fA-F]*$/,
  base64: /^[A-Za-z0-9+/]*={0,2}$/,
  base64url: /^[A-Za-z0-9_-]*$/,
};
const ENCODED_LENGTH: Record<HmacEncoding, (bytes: number) => number> = {
  hex: (bytes) => bytes * 2,
  base64: (bytes) => Math.ceil(bytes / 3) * 4,
  base64url: (bytes) => Math.ceil((bytes * 4) / 3),
};

/** `prefix` + the encoded HMAC of `payload` under `secret`, the way a sender computes a signature header. */
export function signHmac(payload: string | Uint8Array, secret: HmacSecret, format: HmacSignatureFormat = {}): string {
  const { algorithm = 'sha256', encoding = 'hex', prefix = '' } = format;
  return prefix + digest(payload, secret, algorithm).toString(encoding);
}

/**
 * Checks `signature` against the HMAC of `payload` under each of `secrets` (several during a secret
 * rotation). Every secret is tried, and each comparison is constant-time over the digest bytes, so
 * the time taken reveals neither which secret matched nor how much of the signature was right.
 *
 * `payload` must be the exact bytes that were signed: a body parsed and re-serialized is different
 * bytes and will not verify.
 *
 * @throws TypeError when `payload` is not a string or bytes, or when no secret (or an empty one) is given.
 */
export function verifyHmacSignature(
  payload: string | Uint8Array,
  signature: string,
  secrets: HmacSecret | readonly HmacSecret[],
  format: HmacSignatureFormat = {},
): HmacVerification {
  const { algorithm = 'sha256', encoding = 'hex', prefix = '' } = format;
  const keys = normalizeSecrets(secrets);
  if (typeof payload !== 'string' && !(payload instanceof Uint8Array)) {
    throw new TypeError(`The signed payload must be a string or bytes, got ${describe(payload)}`);
  }

  const received = decodeDigest(signature, prefix, encoding, DIGEST_BYTES[algorithm]);
  if (received === undefined) return { valid: false, reason: 'malformed' };

  let secretIndex = -1;
  keys.forEach((key, index) => {
    // No early exit: the work done is the same whichever secret (if any) matches.
    const matches = timingSafeEqual(digest(payload, key, algorithm), received);
    if (matches && secretIndex === -1) secretIndex = index;
  });
  return secretIndex === -1 ? { valid: false, reason: 'mismatch' } : { valid: true, secretIndex };
}

function digest(payload: string | Uint8Array, secret: HmacSecret, algorithm: HmacAlgorithm): Buffer {
  return createHmac(algorithm, secret).update(payload).digest();
}

function decodeDigest(signature: string, prefix: string, encoding: HmacEncoding, length: number): Buffer | undefined {
  if (typeof signature !== 'string' || !signature.startsWith(prefix)) return undefined;
  const text = signature.slice(prefix.length);
  if (text.length !== ENCODED_LENGTH[encoding](length) || !DIGEST_ALPHABET[encoding].test(text)) return undefined;
  const bytes = Buffer.from(text, encoding);
  // timingSafeEqual throws on a length difference; a digest of another algorithm is just malformed.
  return bytes.length === length ? bytes : undefined;
}

function normalizeSecrets(secrets: HmacSecret | readonly HmacSecret[]): readonly HmacSecret[] {
  const keys: readonly HmacSecret[] = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : secrets;
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError('At least one secret is required');
  for (const key of keys) {
    if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
      throw new TypeError(`A secret must be a string or bytes, got ${describe(key)}`);
    }
    // An empty key is almost always a missing environment variable, and anyone can sign with it.
    if (key.length === 0) throw new TypeError('A secret must not be empty');
  }
  return keys;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'no prototype'})` : `a ${typeof value}`;
}
