import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { PresignedUrlSigner } from '../src/core/presigned-url.js';

const T0 = Date.UTC(2026, 4, 16, 12, 0, 0, 250);
const HOUR = 60 * 60 * 1000;
const PATH = '/api/storage/outputs/abc/0.png';

function signer(options?: ConstructorParameters<typeof PresignedUrlSigner>[2]) {
  const clock = new ManualClock(T0);
  return { clock, signer: new PresignedUrlSigner(randomBytes(32), clock, options) };
}

/** The path and query of a signed URL, as Express hands them to a route. */
function parts(url: string): { path: string; query: Record<string, string> } {
  const parsed = new URL(url, 'http://mock');
  return { path: parsed.pathname, query: Object.fromEntries(parsed.searchParams) };
}

describe('PresignedUrlSigner: an HMAC over path and expiry, on the mock clock', () => {
  it('signs the path with an expiry in whole epoch seconds, ttl from now', () => {
    const { signer: s } = signer();
    const { path, query } = parts(s.sign(PATH, HOUR));
    expect(path).toBe(PATH);
    expect(query.Expires).toBe(String(Math.floor((T0 + HOUR) / 1000)));
    expect(query.Signature).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs again within the same second as before, and anew when the expiry or the path changes', () => {
    const { clock, signer: s } = signer();
    const first = s.sign(PATH, HOUR);
    clock.advance(700); // still the same whole second of expiry
    expect(s.sign(PATH, HOUR)).toBe(first);
    const other = s.sign('/api/storage/outputs/abc/1.png', HOUR);
    expect(parts(other).query.Signature).not.toBe(parts(first).query.Signature);
    clock.advance(100); // the next second
    const later = s.sign(PATH, HOUR);
    expect(parts(later).query.Expires).toBe(String(Number(parts(first).query.Expires) + 1));
    expect(parts(later).query.Signature).not.toBe(parts(first).query.Signature);
    for (const url of [first, other, later]) expect(s.verify(parts(url).path, parts(url).query)).toMatchObject({ ok: true });
  });

  it.each([
    { name: 'just signed', advance: 0, verdict: { ok: true } },
    { name: 'one second before expiry', advance: HOUR - 1250, verdict: { ok: true } },
    // Expires is rounded down to the second, so the URL dies at T0 + 1 h - 250 ms.
    { name: 'at its expiry', advance: HOUR - 250, verdict: { ok: false, reason: 'expired' } },
    { name: 'a day later', advance: 24 * HOUR, verdict: { ok: false, reason: 'expired' } },
  ])('$name: $verdict', ({ advance, verdict }) => {
    const { clock, signer: s } = signer();
    const { path, query } = parts(s.sign(PATH, HOUR));
    clock.advance(advance);
    expect(s.verify(path, query)).toMatchObject(verdict);
  });

  const tamper: Array<{ name: string; change: (url: { path: string; query: Record<string, string> }) => void; reason: string }> = [
    { name: 'another path', change: (url) => void (url.path = '/api/storage/outputs/abd/0.png'), reason: 'signature' },
    { name: 'another file of the same job', change: (url) => void (url.path = PATH.replace('0.png', '0.jpg')), reason: 'signature' },
    { name: 'the expiry moved a day forward', change: (url) => void (url.query.Expires = String(Number(url.query.Expires) + 86_400)), reason: 'signature' },
    { name: 'one signature digit changed', change: (url) => void (url.query.Signature = flipFirstHexDigit(url.query.Signature!)), reason: 'signature' },
    { name: 'a shortened signature', change: (url) => void (url.query.Signature = url.query.Signature!.slice(0, 32)), reason: 'signature' },
    { name: 'a signature that is not hex', change: (url) => void (url.query.Signature = 'z'.repeat(64)), reason: 'signature' },
    { name: 'no signature', change: (url) => void delete url.query.Signature, reason: 'missing' },
    { name: 'no expiry', change: (url) => void delete url.query.Expires, reason: 'missing' },
    { name: 'an expiry that is not a number', change: (url) => void (url.query.Expires = 'tomorrow'), reason: 'missing' },
  ];
  it.each(tamper)('refuses $name ($reason)', ({ change, reason }) => {
    const { signer: s } = signer();
    const url = parts(s.sign(PATH, HOUR));
    expect(s.verify(url.path, url.query)).toMatchObject({ ok: true });
    change(url);
    expect(s.verify(url.path, url.query)).toEqual({ ok: false, reason });
  });

  it('refuses a URL signed by another server (another secret)', () => {
    const { signer: other } = signer();
    const { signer: s } = signer();
    const { path, query } = parts(other.sign(PATH, HOUR));
    expect(s.verify(path, query)).toEqual({ ok: false, reason: 'signature' });
  });

  it('refuses an array where one value is expected (a repeated query parameter)', () => {
    const { signer: s } = signer();
    const { path, query } = parts(s.sign(PATH, HOUR));
    expect(s.verify(path, { ...query, Signature: [query.Signature, query.Signature] })).toEqual({ ok: false, reason: 'missing' });
  });

  it('uses the parameter names it is given', () => {
    const { signer: s } = signer({ expiresParam: 'e', signatureParam: 'sig' });
    const { path, query } = parts(s.sign(PATH, HOUR));
    expect(Object.keys(query)).toEqual(['e', 'sig']);
    expect(s.verify(path, query)).toMatchObject({ ok: true, expiresAt: Number(query.e) * 1000 });
  });
});

function flipFirstHexDigit(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
