import type { HostResolver } from './outbound-address.js';
import type { WebhookSignature } from './webhook-signature.js';

// The webhook dispatcher's public vocabulary (deliveries, attempts, options), apart from the
// machinery in webhooks.ts that fills it in.

export const WEBHOOK_STATUSES = ['pending', 'delivered', 'failed', 'refused'] as const;

/**
 * - `pending`: an attempt is in flight or the next one is scheduled.
 * - `delivered`: a receiver answered 2xx.
 * - `failed`: every attempt failed, or the request could not be built (see `reason`).
 * - `refused`: never sent: the target is not allowed, or the payload breaks the spec (see `reason`).
 */
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** How one attempt ended. */
export type AttemptOutcome = 'delivered' | 'http-error' | 'redirect' | 'timeout' | 'network-error';

export interface WebhookAttempt {
  /** 1 for the first attempt. */
  readonly number: number;
  /** When it started, on the mock clock (epoch ms); also the `sentAt` the `headers` callback got. */
  readonly startedAt: number;
  /** When it ended, on the mock clock; undefined while in flight. */
  readonly finishedAt?: number;
  /** Real time it took, in ms (a manual clock does not move during network I/O). */
  readonly elapsedMs?: number;
  /** The headers sent, signature included. */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The IP address connected to. */
  readonly address?: string;
  readonly outcome?: AttemptOutcome;
  /** The receiver's HTTP status, when it answered. */
  readonly httpStatus?: number;
  /** Why the attempt failed, when it did. */
  readonly error?: string;
  /** The receiver's answer body (UTF-8), at most `maxResponseBytes` of it. */
  readonly responseBody?: string;
  /** Whether the answer was longer than `maxResponseBytes` (the connection was then closed). */
  readonly responseTruncated?: boolean;
}

export interface WebhookDelivery {
  /** `wh_<n>`; never reused, even across `reset()`. */
  readonly id: string;
  /** The API that sent it (its slug). */
  readonly api: string;
  readonly url: string;
  /** The payload as sent (parsed back from `rawBody`). */
  readonly payload: unknown;
  /** The exact bytes sent as the body (and given to the `headers` callback to sign). */
  readonly rawBody: Buffer;
  readonly status: WebhookStatus;
  /** Why it was refused or failed. */
  readonly reason?: string;
  /** How the payload breaks the spec's callback schema, when it does. */
  readonly violation?: string;
  /** When `deliver()` was called, on the mock clock. */
  readonly createdAt: number;
  /** When it stopped being pending, on the mock clock. */
  readonly settledAt?: number;
  /** When the next attempt is due, on the mock clock, while waiting for a retry. */
  readonly nextAttemptAt?: number;
  readonly attempts: readonly WebhookAttempt[];
}

export interface WebhookRequest {
  /** The API sending it (its slug), for filtering and reports. */
  api: string;
  /** Where to POST it; must be http: or https: and pass the outbound address policy. */
  url: string;
  /** Serialized once with `JSON.stringify`; every attempt sends the same bytes. */
  payload: unknown;
  /**
   * Extra headers for one attempt (e.g. a signature over `rawBody` and a timestamp), called once per
   * attempt with the exact body bytes and the attempt's time on the mock clock (epoch ms). It may
   * not set `Content-Type`, `Content-Length` or `Host`. Default: none (an unsigned callback).
   */
  headers?: (rawBody: Buffer, sentAt: number) => Record<string, string>;
  /** Why the payload breaks the spec (e.g. `CallbackSchemaCheck.validator(...)`); undefined when it keeps to it. */
  validate?: (payload: unknown) => string | undefined;
  /**
   * How `headers` signs it, so each attempt's signature can be checked later (the inspector):
   * `hmacSigner(scheme, secret).signature`. Default: none (unsigned, or not checkable).
   */
  signature?: WebhookSignature;
}

/** Whether a delivery's attempts carried a signature that verifies with the secret it was given. */
export interface SignatureVerification {
  header: string;
  scheme: string;
  /** The secret, masked. */
  secret: string;
  /** Per attempt, in order: whether its header verifies over the bytes sent (false when it had none). */
  attempts: Array<{ number: number; valid: boolean }>;
}

/** A payload the mock was about to send that breaks its own spec: a bug in the mock. */
export interface WebhookViolation {
  api: string;
  deliveryId: string;
  url: string;
  message: string;
}

export interface WebhookDispatcherOptions {
  /** Attempts per delivery, first one included (1-20). Default: 5. */
  maxAttempts?: number;
  /** Backoff before the second attempt, in ms; it doubles per attempt up to `maxDelayMs`. Default: 1000. */
  baseDelayMs?: number;
  /** Longest backoff between two attempts, in ms (at least `baseDelayMs`). Default: 60000. */
  maxDelayMs?: number;
  /**
   * Share of each backoff taken off at random (0-1): a delay is `d * (1 - jitter * random())` for
   * the doubled delay `d`, so receivers that fail together are not retried in lockstep. Default: 0.5.
   */
  jitter?: number;
  /** Source of randomness for the jitter, returning [0, 1). Default: `Math.random`. */
  random?: () => number;
  /**
   * Time one attempt may take from resolving the host to the end of the answer, in ms, on the mock
   * clock. Default: 10000. With a `ManualClock`, moving the clock past it while an attempt is in
   * flight times that attempt out: `await dispatcher.quiet()` before a large step.
   */
  attemptTimeoutMs?: number;
  /** Largest answer body read (and kept) per attempt, in bytes; a longer one is cut off and its connection closed. Default: 16384. */
  maxResponseBytes?: number;
  /**
   * CIDR ranges a target address must fall in. Link-local, metadata, unspecified, multicast and
   * broadcast addresses are refused even when listed. Default: loopback and private networks
   * (`DEFAULT_ALLOWED_RANGES`: 127.0.0.0/8, ::1/128, 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7).
   */
  allowedRanges?: readonly string[];
  /**
   * CA certificates (PEM) trusted for https targets besides Node's bundled roots, e.g. a test
   * receiver's self-signed one. Default: none.
   */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Resolves host names; the request connects only to the addresses it returned. Default: the system resolver. */
  resolver?: HostResolver;
  /** Settled deliveries kept for inspection; the oldest are dropped beyond it. Default: 1000. */
  maxKept?: number;
  /** How long a settled delivery is kept, in ms on the mock clock. Default: 1 hour. */
  maxAgeMs?: number;
  /** Deliveries pending at once; more are refused (and recorded). Default: 1000. */
  maxPending?: number;
  /** Told about every payload that breaks its `validate` check. Default: none (the delivery records it). */
  onViolation?: (violation: WebhookViolation) => void;
  /** Told when a delivery stops being pending (delivered, failed or refused). Default: none. */
  onSettled?: (delivery: WebhookDelivery) => void;
}

/** Which deliveries `list()` returns; every field given must match. */
export interface WebhookFilter {
  api?: string;
  status?: WebhookStatus;
  url?: string;
}
