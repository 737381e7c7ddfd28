// What the inspector (and any report) may show of a secret: enough to tell two apart, never the whole.

import { boundedMemo } from './bounded-memo.js';

/** Where a header, query parameter or JSON field with such a name holds a secret. */
export const SECRET_NAME = /(auth|key|token|secret|signature|sig$|^sig|credential|password|cookie|policy)/i;

// Every authenticated request notes its key masked, and a client sends one key: masks of up to 256
// secrets of up to 256 characters are kept.
const rememberedMask = boundedMemo(maskOnce, 256, (secret) => secret.length <= 256);

/**
 * A secret shown so a person can tell which one it is, never enough to use it: `air_live_team_a`
 * -> `air_…_a`; under 10 characters only `…`. `Bearer <key>` keeps its scheme word.
 */
export function maskSecret(secret: string): string {
  return rememberedMask(secret);
}

function maskOnce(secret: string): string {
  const scheme = /^(Bearer|Basic|Token)\s+(.*)$/i.exec(secret);
  if (scheme) return `${scheme[1]} ${maskOnce(scheme[2] ?? '')}`;
  return secret.length >= 10 ? `${secret.slice(0, 4)}…${secret.slice(-2)}` : '…';
}

/**
 * A function masking each of `secrets` wherever it appears in a text (an API key quoted in a
 * message, where no field name says it is one). Secrets under 8 characters are left alone: masking
 * every `k` in a text would hide more than it protects.
 */
export function secretScrubber(secrets: Iterable<string>): (text: string) => string {
  const worth = [...new Set(secrets)].filter((secret) => secret.length >= 8).sort((a, b) => b.length - a.length);
  if (worth.length === 0) return (text) => text;
  const pattern = new RegExp(worth.map((secret) => secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return (text) => text.replace(pattern, (secret) => maskSecret(secret));
}

/** Headers with every secret-named one masked (Authorization, X-API-Key, X-Lumen-Signature...). */
export function maskHeaders(headers: Readonly<Record<string, string | readonly string[] | number | undefined>>): Record<string, string> {
  const masked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    masked[name] = SECRET_NAME.test(name) ? maskSecret(text) : maskUrls(text);
  }
  return masked;
}

/**
 * A JSON value with secret-named fields and secret query parameters of URLs in its strings
 * replaced by `mask` of them. Default: {@link maskSecret}.
 */
export function maskJson(value: unknown, mask: (secret: string) => string = maskSecret): unknown {
  if (typeof value === 'string') return maskUrls(value, mask);
  if (Array.isArray(value)) return value.map((child) => maskJson(child, mask));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, SECRET_NAME.test(name) && typeof child !== 'object' ? mask(String(child)) : maskJson(child, mask)]));
  }
  return value;
}

/** Secret-named query parameters inside URLs in `text` (presigned signatures, keys) replaced by `mask` of them. */
export function maskUrls(text: string, mask: (secret: string) => string = maskSecret): string {
  return text.replace(/([?&])([^=&#\s"]+)=([^&#\s"]*)/g, (whole, separator: string, name: string, value: string) =>
    SECRET_NAME.test(decodeSafe(name)) ? `${separator}${name}=${mask(value)}` : whole,
  );
}

/**
 * JSON text (possibly cut short, so not parsed) with the string values of secret-named fields and
 * secret query parameters of URLs masked.
 */
export function maskJsonText(text: string, mask: (secret: string) => string = maskSecret): string {
  const fields = text.replace(/"((?:[^"\\]|\\.)*)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (whole, name: string, colon: string, value: string) =>
    SECRET_NAME.test(name) ? `"${name}"${colon}"${mask(value)}"` : whole,
  );
  return maskUrls(fields, mask);
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
