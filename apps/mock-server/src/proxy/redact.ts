// What a recording or a report may show of a value: secrets redacted, the rest kept.

/** Where a header, query parameter or JSON field with such a name holds a secret. */
export const SECRET_NAME = /(auth|key|token|secret|signature|sig$|^sig|credential|password|cookie|policy)/i;
export const REDACTED = 'REDACTED';

/** A JSON value with secret-named fields redacted and secret query parameters of URLs in its strings. */
export function redactJson(value: unknown): unknown {
  if (typeof value === 'string') return redactUrls(value);
  if (Array.isArray(value)) return value.map(redactJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, SECRET_NAME.test(name) && typeof child !== 'object' ? REDACTED : redactJson(child)]));
  }
  return value;
}

/** Secret-named query parameters inside URLs in `text` (presigned signatures, keys) redacted. */
export function redactUrls(text: string): string {
  return text.replace(/([?&])([^=&#\s"]+)=([^&#\s"]*)/g, (whole, separator: string, name: string) =>
    SECRET_NAME.test(decodeSafe(name)) ? `${separator}${name}=${REDACTED}` : whole,
  );
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
