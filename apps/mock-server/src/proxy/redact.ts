// What a recording or a report may show of a value: secrets redacted, the rest kept.
import { SECRET_NAME, maskJson, maskUrls } from '../core/secrets.js';

export { SECRET_NAME };
export const REDACTED = 'REDACTED';

const redacted = () => REDACTED;

/** A JSON value with secret-named fields redacted and secret query parameters of URLs in its strings. */
export function redactJson(value: unknown): unknown {
  return maskJson(value, redacted);
}

/** Secret-named query parameters inside URLs in `text` (presigned signatures, keys) redacted. */
export function redactUrls(text: string): string {
  return maskUrls(text, redacted);
}
