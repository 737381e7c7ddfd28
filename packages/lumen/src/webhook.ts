import { verifyHmacSignature } from '@imagegen/client-kit';
import type { HmacSignatureFormat } from '@imagegen/client-kit';

import { TERMINAL_TASK_STATUSES } from './types.js';
import type { LumenWebhookPayload } from './types.js';

/** Header carrying `sha256=<hex>`, the HMAC-SHA256 of the raw body under `webhook_secret`. */
export const LUMEN_SIGNATURE_HEADER = 'X-Lumen-Signature';
/** Header carrying the delivery time in Unix seconds; not covered by the signature. */
export const LUMEN_TIMESTAMP_HEADER = 'X-Lumen-Timestamp';
/** How Lumen writes `X-Lumen-Signature`; `test/webhook.test.ts` checks it against the spec. */
export const LUMEN_SIGNATURE_FORMAT = {
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
} as const satisfies HmacSignatureFormat;

/** Headers as a Fetch `Headers`, or as Node's `req.headers` (any case, possibly repeated). */
export type WebhookHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Options of {@link verifyLumenWebhook}. */
export interface VerifyLumenWebhookOptions {
  /**
   * Largest accepted distance, in seconds, between `X-Lumen-Timestamp` and now, either way;
   * `Infinity` turns the check off. Default: `300`.
   */
  toleranceSeconds?: number;
  /** The current time in ms. Default: `Date.now`. */
  now?: () => number;
}

/** Why a delivery was refused. */
export type LumenWebhookErrorReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'invalid_payload';

/** A delivery that must not be trusted; answer it with a 4xx (e.g. 401). */
export class LumenWebhookError extends Error {
  readonly reason: LumenWebhookErrorReason;

  constructor(reason: LumenWebhookErrorReason, message: string) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
  }
}

const TIMESTAMP = /^\d{1,15}$/;

/**
 * Verifies a Lumen webhook delivery and returns its parsed, typed payload (the terminal task).
 *
 * Checks, in order: `X-Lumen-Signature` against the HMAC-SHA256 of `rawBody` under each of
 * `secrets` (constant-time; several secrets allow a rotation), then that `X-Lumen-Timestamp` is
 * within `toleranceSeconds` of now, then that the body is a terminal task.
 *
 * `rawBody` must be the bytes exactly as received (`express.raw()`, or the chunks of a node:http
 * request): a body parsed and serialized again has other bytes and will not verify.
 *
 * The timestamp is not signed, so it limits how long a captured delivery can be replayed only
 * against receivers that also refuse a second delivery of the same task id and status.
 *
 * @throws LumenWebhookError when the delivery is not authentic, stale or not a task.
 * @throws TypeError when `rawBody` is a parsed object rather than the raw body, or no secret is given.
 */
export function verifyLumenWebhook(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secrets: string | readonly string[],
  options: VerifyLumenWebhookOptions = {},
): LumenWebhookPayload {
  const { toleranceSeconds = 300, now = Date.now } = options;
  if (!(toleranceSeconds >= 0)) throw new TypeError(`toleranceSeconds must be >= 0, got ${toleranceSeconds}`);
  if (typeof rawBody !== 'string' && !(rawBody instanceof Uint8Array)) {
    throw new TypeError(
      `verifyLumenWebhook needs the raw request body (a Buffer, Uint8Array or string exactly as received), got ${kindOf(rawBody)}. ` +
        'A body parser already turned it into an object, and re-serializing it would not give the signed bytes: ' +
        "keep the raw body on the webhook route, e.g. express.raw({ type: 'application/json' }), and parse it after verifying.",
    );
  }

  const signature = singleHeader(headers, LUMEN_SIGNATURE_HEADER);
  // Run even without a usable header, so a missing or empty secret is reported as the TypeError it is.
  const verification = verifyHmacSignature(rawBody, signature ?? '', secrets, LUMEN_SIGNATURE_FORMAT);
  if (signature === undefined) throw new LumenWebhookError('missing_signature', `${LUMEN_SIGNATURE_HEADER} header is missing`);
  if (signature === null) throw new LumenWebhookError('malformed_signature', `${LUMEN_SIGNATURE_HEADER} header is repeated`);
  if (!verification.valid && verification.reason === 'malformed') {
    throw new LumenWebhookError('malformed_signature', `${LUMEN_SIGNATURE_HEADER} is not sha256=<64 hex digits>`);
  }
  if (!verification.valid) {
    throw new LumenWebhookError(
      'signature_mismatch',
      `${LUMEN_SIGNATURE_HEADER} does not match the body under any of the ${typeof secrets === 'string' ? 1 : secrets.length} secret(s). ` +
        'Verify the raw bytes as received: a body parsed and serialized again (JSON.stringify(req.body)) is not what Lumen signed.',
    );
  }

  const timestamp = singleHeader(headers, LUMEN_TIMESTAMP_HEADER);
  if (timestamp === undefined) throw new LumenWebhookError('missing_timestamp', `${LUMEN_TIMESTAMP_HEADER} header is missing`);
  if (timestamp === null || !TIMESTAMP.test(timestamp)) {
    throw new LumenWebhookError('malformed_timestamp', `${LUMEN_TIMESTAMP_HEADER} is not a Unix time in seconds`);
  }
  const skewSeconds = Math.abs(now() / 1000 - Number(timestamp));
  if (skewSeconds > toleranceSeconds) {
    throw new LumenWebhookError(
      'timestamp_out_of_tolerance',
      `${LUMEN_TIMESTAMP_HEADER} is ${Math.round(skewSeconds)} s from now, more than the ${toleranceSeconds} s tolerated`,
    );
  }

  return parsePayload(rawBody);
}

/** The header's value; `undefined` when absent, `null` when sent more than once. */
function singleHeader(headers: WebhookHeaders, name: string): string | null | undefined {
  let value: string | undefined;
  if (headers instanceof Headers) {
    value = headers.get(name) ?? undefined;
  } else {
    const lower = name.toLowerCase();
    const values = Object.entries(headers)
      .filter(([key]) => key.toLowerCase() === lower)
      .flatMap(([, found]) => (found === undefined ? [] : typeof found === 'string' ? [found] : [...found]));
    if (values.length > 1) return null;
    value = values[0];
  }
  // Headers and node:http join a repeated header with ", "; neither value can contain a comma.
  return value?.includes(',') ? null : value;
}

function parsePayload(rawBody: string | Uint8Array): LumenWebhookPayload {
  let payload: unknown;
  try {
    const text = typeof rawBody === 'string' ? rawBody : new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    payload = JSON.parse(text);
  } catch {
    throw new LumenWebhookError('invalid_payload', 'The body is not UTF-8 JSON');
  }
  const record = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  const status = (TERMINAL_TASK_STATUSES as readonly unknown[]).includes(record?.status) ? record?.status : undefined;
  if (record === undefined || typeof record.id !== 'string' || status === undefined) {
    throw new LumenWebhookError('invalid_payload', `The body is not a terminal task (${TERMINAL_TASK_STATUSES.join(', ')})`);
  }
  if (status === 'succeeded' && !Array.isArray(record.data)) {
    throw new LumenWebhookError('invalid_payload', 'A succeeded task must list its images in data');
  }
  if (status === 'failed' && (typeof record.error !== 'object' || record.error === null)) {
    throw new LumenWebhookError('invalid_payload', 'A failed task must carry an error');
  }
  return payload as LumenWebhookPayload;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
