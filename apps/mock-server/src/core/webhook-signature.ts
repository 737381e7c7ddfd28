import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a callback is signed, kept with its delivery so the inspector can say whether each attempt's
 * signature verifies with the secret the task gave: `verify` recomputes it from the bytes sent.
 */
export interface WebhookSignature {
  /** The header that carries it (`X-Lumen-Signature`). */
  readonly header: string;
  /** How it is computed, for people: `HMAC-SHA256 of the raw body, hex, as sha256=<hex>`. */
  readonly scheme: string;
  /** The secret it is keyed with, as the caller gave it (shown masked, never in full). */
  readonly secret: string;
  /** Whether `value` is the signature of `rawBody` under `secret`, compared in constant time. */
  verify(rawBody: Buffer, value: string): boolean;
}

/** An HMAC signature scheme as a vendor documents it: which header, hash and encoding, and its prefix. */
export interface HmacScheme {
  header: string;
  algorithm: 'sha256' | 'sha1' | 'sha512';
  encoding: 'hex' | 'base64';
  /** Written before the digest (`sha256=`). Default: none. */
  prefix?: string;
}

/**
 * A signer for one secret under `scheme`: `headers(rawBody)` for the webhook request, and the
 * {@link WebhookSignature} that checks what was sent.
 */
export function hmacSigner(scheme: HmacScheme, secret: string): { headers(rawBody: Buffer): Record<string, string>; signature: WebhookSignature } {
  const prefix = scheme.prefix ?? '';
  const digest = (rawBody: Buffer) => createHmac(scheme.algorithm, secret).update(rawBody).digest();
  return {
    headers: (rawBody) => ({ [scheme.header]: `${prefix}${digest(rawBody).toString(scheme.encoding)}` }),
    signature: {
      header: scheme.header,
      scheme: `HMAC-${scheme.algorithm.toUpperCase()} of the raw body, ${scheme.encoding}, as ${prefix}<${scheme.encoding}>`,
      secret,
      verify(rawBody, value) {
        if (!value.startsWith(prefix)) return false;
        const expected = digest(rawBody);
        const received = Buffer.from(value.slice(prefix.length), scheme.encoding);
        return received.length === expected.length && timingSafeEqual(received, expected);
      },
    },
  };
}
