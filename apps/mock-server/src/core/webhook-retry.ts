import { performance } from 'node:perf_hooks';

import type { Clock } from './clock.js';
import type { OutboundPolicy } from './outbound-address.js';
import type { DispatcherSettings } from './webhook-options.js';
import type { AttemptRecord, DeliveryRecord } from './webhook-log.js';
import { postOnce } from './webhook-transport.js';
import type { WebhookRequest, WebhookStatus } from './webhook-types.js';

// The retry scheduler: one delivery's attempts, each bounded by a timeout, with backoff between
// them, all waiting on the mock's clock (a test's ManualClock drives retries without sleeping).
// The wire is webhook-transport.ts; the record it fills in is webhook-log.ts's.

/** A delivery under way. */
export interface Running {
  record: DeliveryRecord;
  request: WebhookRequest;
  /** Aborted by reset() or close(): the clock wait is withdrawn, the socket destroyed. */
  abort: AbortController;
  /** True while an attempt is in flight (network I/O), false while waiting on the clock. */
  sending: boolean;
  /** Settles once the delivery has ended, however it ended; never rejects. */
  done: Promise<void>;
}

/** What the scheduler needs from its dispatcher. */
export interface RetryEnvironment {
  clock: Clock;
  policy: OutboundPolicy;
  settings: DispatcherSettings;
  /** Ends the delivery as `status`; does nothing for one forgotten by reset(). */
  settle(record: DeliveryRecord, status: Exclude<WebhookStatus, 'pending'>, reason?: string): void;
  /** Told when the delivery stops sending to wait on the clock for its next attempt. */
  waiting(): void;
}

const FRAMING_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

/** Sends `running` to `url` until it is delivered, refused or out of attempts, or its abort fires. */
export async function runDelivery(running: Running, url: URL, env: RetryEnvironment): Promise<void> {
  const { record, abort } = running;
  const { clock, settings } = env;
  try {
    for (let number = 1; ; number++) {
      const attempt = await attemptOnce(running, url, number, env);
      if (abort.signal.aborted) return;
      if (attempt === 'refused' || attempt === 'delivered') return;
      if (number >= settings.maxAttempts) {
        env.settle(record, 'failed', `no 2xx answer after ${number} attempt${number === 1 ? '' : 's'}; last: ${attempt}`);
        return;
      }
      record.nextAttemptAt = clock.now() + backoffMs(number, settings);
      running.sending = false;
      env.waiting();
      await clock.sleepUntil(record.nextAttemptAt, abort.signal);
      running.sending = true;
      record.nextAttemptAt = undefined;
    }
  } catch (error) {
    if (abort.signal.aborted) return;
    env.settle(record, 'failed', `the mock could not send it: ${messageOf(error)}`);
  }
}

/** The wait after attempt `number` failed, before the next one: doubling from `baseDelayMs`, capped, less the jitter. */
export function backoffMs(number: number, settings: Pick<DispatcherSettings, 'baseDelayMs' | 'maxDelayMs' | 'jitter' | 'random'>): number {
  const { baseDelayMs, maxDelayMs, jitter, random } = settings;
  const doubled = Math.min(maxDelayMs, baseDelayMs * 2 ** (number - 1));
  return Math.round(doubled * (1 - jitter * random()));
}

/** One attempt: 'delivered', 'refused' (both settle the delivery) or why it failed. */
async function attemptOnce(running: Running, url: URL, number: number, env: RetryEnvironment): Promise<'delivered' | 'refused' | string> {
  const { record, request } = running;
  const { clock, settings } = env;
  const startedAt = clock.now();
  const attempt: AttemptRecord = { number, startedAt, requestHeaders: headersFor(request, record.rawBody, startedAt) };
  const began = performance.now();

  // One signal ends the attempt: the delivery being cancelled, or the timeout on the mock clock.
  const attemptAbort = new AbortController();
  const timer = new AbortController();
  const cancel = () => {
    timer.abort();
    attemptAbort.abort(running.abort.signal.reason);
  };
  running.abort.signal.addEventListener('abort', cancel, { once: true });
  clock
    .sleepUntil(startedAt + settings.attemptTimeoutMs, timer.signal)
    .then(() => attemptAbort.abort(new AttemptTimeout(settings.attemptTimeoutMs)))
    .catch(() => {});
  try {
    const target = await abortable(env.policy.resolve(url, settings.resolver), attemptAbort.signal);
    if (!target.ok) {
      // Never sent, so no attempt is recorded.
      env.settle(record, 'refused', target.reason);
      return 'refused';
    }
    record.attempts.push(attempt);
    const { location, ...answer } = await postOnce(url, target.addresses, attempt.requestHeaders, record.rawBody, attemptAbort.signal, {
      ca: settings.ca,
      maxResponseBytes: settings.maxResponseBytes,
    });
    Object.assign(attempt, answer);
    if (answer.httpStatus >= 200 && answer.httpStatus < 300) {
      attempt.outcome = 'delivered';
      finish(attempt, began, clock);
      env.settle(record, 'delivered');
      return 'delivered';
    }
    const redirect = answer.httpStatus >= 300 && answer.httpStatus < 400;
    attempt.outcome = redirect ? 'redirect' : 'http-error';
    attempt.error = redirect ? `answered ${answer.httpStatus} (redirect to ${location ?? 'nowhere'}); redirects are not followed` : `answered ${answer.httpStatus}`;
    return attempt.error;
  } catch (error) {
    if (!record.attempts.includes(attempt)) record.attempts.push(attempt);
    const reason: unknown = attemptAbort.signal.aborted ? attemptAbort.signal.reason : error;
    attempt.outcome = reason instanceof AttemptTimeout ? 'timeout' : 'network-error';
    attempt.error = messageOf(reason);
    return attempt.error;
  } finally {
    finish(attempt, began, clock);
    timer.abort();
    running.abort.signal.removeEventListener('abort', cancel);
  }
}

function finish(attempt: AttemptRecord, began: number, clock: Clock): void {
  if (attempt.finishedAt !== undefined) return;
  attempt.finishedAt = clock.now();
  attempt.elapsedMs = Math.round((performance.now() - began) * 1000) / 1000;
}

function headersFor(request: WebhookRequest, rawBody: Buffer, sentAt: number): Record<string, string> {
  const extra = request.headers?.(rawBody, sentAt) ?? {};
  const framing = Object.keys(extra).filter((name) => FRAMING_HEADERS.has(name.toLowerCase()));
  if (framing.length > 0) throw new Error(`the headers callback may not set ${framing.join(', ')}`);
  return { ...extra, 'Content-Type': 'application/json', 'Content-Length': String(rawBody.length) };
}

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no complete answer within ${ms} ms (attemptTimeoutMs)`);
  }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
