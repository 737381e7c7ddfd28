import { createHmac, timingSafeEqual } from 'node:crypto';

import type { Clock } from './clock.js';
import { LruCache } from './lru-cache.js';

/** Why a presigned URL was refused. */
export type PresignedUrlRefusal = 'missing' | 'signature' | 'expired';

export type PresignedUrlVerdict = { ok: true; expiresAt: number } | { ok: false; reason: PresignedUrlRefusal; expiresAt?: number };

export interface PresignedUrlOptions {
  /** Query parameter carrying the expiry, in epoch seconds. Default: `Expires` (as S3's query-string auth). */
  expiresParam?: string;
  /** Query parameter carrying the hex HMAC-SHA256. Default: `Signature`. */
  signatureParam?: string;
}

/**
 * Signs and checks URLs handed out for downloads that carry no API key (presigned storage URLs):
 * an HMAC-SHA256 with a per-server secret over the path and the expiry, so neither the path nor the
 * expiry can be changed without the signature failing. Time is the mock clock's, so a test moves a
 * URL past its expiry without sleeping.
 */
export class PresignedUrlSigner {
  readonly #expiresParam: string;
  readonly #signatureParam: string;
  /**
   * URLs signed lately, by expiry and path: a signature is a pure function of both, and a client
   * polling a finished job asks for the same URL many times a second (an HMAC each time was a sixth
   * of Luma Agents' poll).
   */
  readonly #signed = new LruCache<string, string>(256);

  constructor(
    private readonly secret: Buffer,
    private readonly clock: Clock,
    options: PresignedUrlOptions = {},
  ) {
    this.#expiresParam = options.expiresParam ?? 'Expires';
    this.#signatureParam = options.signatureParam ?? 'Signature';
  }

  /**
   * `path` followed by the query that makes it valid for `ttlMs` from now (rounded down to whole
   * seconds, the unit of the expiry). `path` must be the path exactly as requests will carry it.
   */
  sign(path: string, ttlMs: number): string {
    const expires = Math.floor((this.clock.now() + ttlMs) / 1000);
    return this.#signed.getOrCreate(`${expires}\n${path}`, () => {
      const query = new URLSearchParams({ [this.#expiresParam]: String(expires), [this.#signatureParam]: this.#signature(path, expires) });
      return `${path}?${query.toString()}`;
    });
  }

  /**
   * Checks a request's path and query. The signature is checked first, so an expiry that was moved
   * forward by hand is a bad signature, never a valid URL; only a genuine URL can be `expired`.
   */
  verify(path: string, query: Readonly<Record<string, unknown>>): PresignedUrlVerdict {
    const expiresText = query[this.#expiresParam];
    const signature = query[this.#signatureParam];
    if (typeof expiresText !== 'string' || typeof signature !== 'string' || !/^\d{1,15}$/.test(expiresText)) {
      return { ok: false, reason: 'missing' };
    }
    const expires = Number(expiresText);
    const expected = Buffer.from(this.#signature(path, expires), 'hex');
    const given = /^[0-9a-f]+$/i.test(signature) ? Buffer.from(signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    const expiresAt = expires * 1000;
    if (this.clock.now() >= expiresAt) return { ok: false, reason: 'expired', expiresAt };
    return { ok: true, expiresAt };
  }

  #signature(path: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${path}\n${expires}`).digest('hex');
  }
}
