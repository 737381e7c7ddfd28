// RFC 7231 §7.1.3: Retry-After is either delay-seconds or an HTTP-date.
const DELAY_SECONDS = /^\d+$/;
// asctime carries no zone, and Date.parse would read it as local time; HTTP dates are always GMT.
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]?\d \d{2}:\d{2}:\d{2} \d{4}$/;
// Date.parse is lenient enough to turn "1.5" or "foo 12" into a date in 2001, so only hand it
// strings that look like a date: a month name (IMF-fixdate, RFC 850, Date#toString) or ISO 8601.
const MONTH_NAME = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

/**
 * Converts a `Retry-After` header value into a delay in milliseconds.
 *
 * @param value - The raw header value (`null`/`undefined` when the header is absent).
 * @param nowMs - The current time, used to turn an HTTP-date into a delay.
 * @returns The delay in ms (0 for a date in the past), or `undefined` when the value is absent or
 * not a valid delay-seconds / HTTP-date.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;

  if (DELAY_SECONDS.test(trimmed)) return Number(trimmed) * 1000;

  const dateMs = parseHttpDate(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

function parseHttpDate(value: string): number {
  if (ASCTIME_DATE.test(value)) return Date.parse(`${value} GMT`);
  if (MONTH_NAME.test(value) || ISO_DATE.test(value)) return Date.parse(value);
  return Number.NaN;
}
