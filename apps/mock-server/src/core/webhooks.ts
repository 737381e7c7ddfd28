import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';

import type { Clock } from './clock.js';
import { OutboundPolicy, systemResolver } from './outbound-address.js';
import { maskSecret } from './secrets.js';
import { postOnce } from './webhook-transport.js';
import type { WebhookSignature } from './webhook-signature.js';
import type {
  SignatureVerification,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDispatcherOptions,
  WebhookFilter,
  WebhookRequest,
  WebhookStatus,
} from './webhook-types.js';

/**
 * Webhook delivery shared by every vendor: a signed (or unsigned) JSON POST with retries, sent in
 * the background, every attempt recorded. All waiting (backoff and per-attempt timeouts) is on the
 * mock's clock, so a test with a `ManualClock` drives retries without sleeping.
 *
 * One dispatcher serves the whole mock server:
 *
 *     const webhooks = new WebhookDispatcher(clock, { onViolation: record });
 *     app.use(WEBHOOK_ROUTES_PATH, webhookRoutes(webhooks));
 *     const taskFinished = new CallbackSchemaCheck(doc).validator('taskFinished');
 *     webhooks.deliver({
 *       api: 'lumen', url: task.webhook_url, payload: result, validate: taskFinished,
 *       headers: (rawBody, sentAt) => ({
 *         'X-Lumen-Signature': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
 *         'X-Lumen-Timestamp': String(Math.floor(sentAt / 1000)),
 *       }),
 *     });
 *
 * `mock.reset()` calls `webhooks.reset()`; closing the server calls `webhooks.close()`. In tests,
 * `await webhooks.waitFor((d) => ...)` waits for a delivery; with a `ManualClock`, retries need the
 * clock moved: `await settleOnManualClock(webhooks, clock)`.
 */

export { WEBHOOK_STATUSES } from './webhook-types.js';
export type {
  AttemptOutcome,
  SignatureVerification,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDispatcherOptions,
  WebhookFilter,
  WebhookRequest,
  WebhookStatus,
  WebhookViolation,
} from './webhook-types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type AttemptRecord = Mutable<WebhookAttempt>;
interface DeliveryRecord extends Mutable<WebhookDelivery> {
  attempts: AttemptRecord[];
}

interface Running {
  record: DeliveryRecord;
  request: WebhookRequest;
  abort: AbortController;
  /** True while an attempt is in flight (network I/O), false while waiting on the clock. */
  sending: boolean;
  done: Promise<void>;
}

interface Waiter {
  match: (delivery: WebhookDelivery) => boolean;
  resolve: (delivery: WebhookDelivery) => void;
  reject: (error: unknown) => void;
}

const FRAMING_HEADERS = new Set(['content-type', 'content-length', 'host', 'transfer-encoding', 'connection']);

/** Delivers webhooks for every mocked API; see {@link WebhookDispatcherOptions} for the policy. */
export class WebhookDispatcher {
  readonly #clock: Clock;
  readonly #policy: OutboundPolicy;
  readonly #options: Required<Omit<WebhookDispatcherOptions, 'allowedRanges' | 'ca' | 'onViolation' | 'onSettled'>> &
    Pick<WebhookDispatcherOptions, 'onViolation' | 'onSettled'>;
  /** Node's roots plus `options.ca`; undefined keeps Node's default store. */
  readonly #ca: Array<string | Buffer> | undefined;
  /** Every delivery kept, in creation order. */
  readonly #deliveries = new Map<string, DeliveryRecord>();
  /** Settled deliveries' ids in settling order, for dropping the oldest. */
  #settledOrder: string[] = [];
  readonly #running = new Map<string, Running>();
  /** How each kept delivery was signed, by id, where its sender said (see `verifySignature`). */
  readonly #signatures = new Map<string, WebhookSignature>();
  #waiters: Waiter[] = [];
  #quietWaiters: Array<() => void> = [];
  #settledWaiters: Array<() => void> = [];
  #nextId = 1;
  #closed = false;

  constructor(clock: Clock, options: WebhookDispatcherOptions = {}) {
    this.#clock = clock;
    this.#policy = new OutboundPolicy(options.allowedRanges);
    // Node's `ca` option replaces the bundled roots, so they are passed along with the extra ones.
    this.#ca = options.ca === undefined ? undefined : [
            ...rootCertificates,
            ...[options.ca].flat().map((pem, i) => checkedCertificates(pem, Array.isArray(options.ca) ? `webhooks.ca[${i}]` : 'webhooks.ca')),
          ];
    this.#options = {
      maxAttempts: checked('maxAttempts', options.maxAttempts ?? 5, 1, 20, true),
      baseDelayMs: checked('baseDelayMs', options.baseDelayMs ?? 1000, 0, 24 * 3600_000),
      maxDelayMs: checked('maxDelayMs', options.maxDelayMs ?? 60_000, options.baseDelayMs ?? 1000, 24 * 3600_000),
      jitter: checked('jitter', options.jitter ?? 0.5, 0, 1),
      random: options.random ?? Math.random,
      attemptTimeoutMs: checked('attemptTimeoutMs', options.attemptTimeoutMs ?? 10_000, 1, 3600_000),
      maxResponseBytes: checked('maxResponseBytes', options.maxResponseBytes ?? 16_384, 0, 16 * 1024 * 1024, true),
      resolver: options.resolver ?? systemResolver,
      maxKept: checked('maxKept', options.maxKept ?? 1000, 0, 1_000_000, true),
      maxAgeMs: checked('maxAgeMs', options.maxAgeMs ?? 3600_000, 0, Number.MAX_SAFE_INTEGER),
      maxPending: checked('maxPending', options.maxPending ?? 1000, 1, 1_000_000, true),
      onViolation: options.onViolation,
      onSettled: options.onSettled,
    };
  }

  /**
   * Records a delivery and starts sending it in the background; returns its record at once. The
   * record is live: it changes as attempts are made. A refused delivery never connects anywhere;
   * it is settled before this returns when the payload, the URL or an IP address as its host is
   * refused, and once resolved when a host name leads to a refused address.
   *
   * @throws TypeError when the payload cannot be serialized as JSON; Error after `close()`.
   */
  deliver(request: WebhookRequest): WebhookDelivery {
    if (this.#closed) throw new Error('the webhook dispatcher is closed');
    const json = JSON.stringify(request.payload) as string | undefined;
    if (json === undefined) throw new TypeError(`a ${typeof request.payload} payload has no JSON form`);
    const violation = request.validate?.(request.payload);
    const target = this.#policy.checkUrl(request.url);
    const record: DeliveryRecord = {
      id: `wh_${this.#nextId++}`,
      api: request.api,
      url: request.url,
      // What was serialized, so later changes to the caller's object do not show up here.
      payload: JSON.parse(json) as unknown,
      rawBody: Buffer.from(json, 'utf8'),
      status: 'pending',
      createdAt: this.#clock.now(),
      attempts: [],
    };
    this.#deliveries.set(record.id, record);
    if (request.signature) this.#signatures.set(record.id, request.signature);

    // A payload that breaks the spec is withheld, as the HTTP pipeline answers a 500 instead of a
    // body that breaks the spec: a receiver under test must never learn to accept a shape the
    // vendor does not send. The violation is reported and kept on the record.
    if (violation !== undefined) {
      record.violation = violation;
      this.#settle(record, 'refused', `payload violates the spec's callback schema, so it was not sent: ${violation}`);
      this.#options.onViolation?.({ api: record.api, deliveryId: record.id, url: record.url, message: violation });
    } else if (!target.ok) {
      this.#settle(record, 'refused', target.reason);
    } else if (this.#running.size >= this.#options.maxPending) {
      this.#settle(record, 'refused', `${this.#running.size} deliveries are already pending (maxPending)`);
    } else {
      const running: Running = { record, request, abort: new AbortController(), sending: true, done: Promise.resolve() };
      this.#running.set(record.id, running);
      running.done = this.#run(running, target.url).catch((error: unknown) => {
        console.error(`[mock-server] webhook ${record.id}: a hook threw`, error);
      });
    }
    this.#notifyWaiters(record);
    return record;
  }

  /**
   * Records a delivery that is never sent, as `refused` with `reason`: for callbacks that fall due
   * after the server was closed (allowed then, unlike `deliver`), so they show in the log instead
   * of being thrown at whoever triggered them.
   */
  refuse(request: WebhookRequest, reason: string): WebhookDelivery {
    const json = JSON.stringify(request.payload) as string | undefined;
    const record: DeliveryRecord = {
      id: `wh_${this.#nextId++}`,
      api: request.api,
      url: request.url,
      payload: json === undefined ? undefined : (JSON.parse(json) as unknown),
      rawBody: Buffer.from(json ?? '', 'utf8'),
      status: 'pending',
      createdAt: this.#clock.now(),
      attempts: [],
    };
    this.#deliveries.set(record.id, record);
    this.#settle(record, 'refused', reason);
    this.#notifyWaiters(record);
    return record;
  }

  /** A delivery by id, while it is kept. */
  get(id: string): WebhookDelivery | undefined {
    this.#dropExpired();
    return this.#deliveries.get(id);
  }

  /** Kept deliveries matching the filter, oldest first. */
  list(filter: WebhookFilter = {}): WebhookDelivery[] {
    this.#dropExpired();
    return [...this.#deliveries.values()].filter(
      (delivery) =>
        (filter.api === undefined || delivery.api === filter.api) &&
        (filter.status === undefined || delivery.status === filter.status) &&
        (filter.url === undefined || delivery.url === filter.url),
    );
  }

  /**
   * Whether each attempt of a kept delivery carried a signature that verifies over the bytes sent
   * with the secret its sender gave (the secret masked); undefined for an unsigned delivery.
   */
  verifySignature(delivery: WebhookDelivery): SignatureVerification | undefined {
    const signature = this.#signatures.get(delivery.id);
    if (!signature) return undefined;
    const header = signature.header.toLowerCase();
    return {
      header: signature.header,
      scheme: signature.scheme,
      secret: maskSecret(signature.secret),
      attempts: delivery.attempts.map((attempt) => {
        const sent = Object.entries(attempt.requestHeaders).find(([name]) => name.toLowerCase() === header)?.[1];
        return { number: attempt.number, valid: sent !== undefined && signature.verify(delivery.rawBody, sent) };
      }),
    };
  }

  /**
   * Resolves with the first kept delivery matching `match` (an id or a predicate) once it is
   * settled: a settled one at once, else the first to settle, including deliveries not made yet.
   * Rejects on `reset()`/`close()` or when `signal` aborts.
   *
   * With a `ManualClock`, retries wait for the clock: advance it (see {@link quiet} and
   * {@link nextWakeAt}) or this waits forever.
   */
  waitFor(match: string | ((delivery: WebhookDelivery) => boolean), options: { signal?: AbortSignal } = {}): Promise<WebhookDelivery> {
    const predicate = typeof match === 'string' ? (delivery: WebhookDelivery) => delivery.id === match : match;
    const found = [...this.#deliveries.values()].find((delivery) => delivery.status !== 'pending' && predicate(delivery));
    if (found) return Promise.resolve(found);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        match: (delivery) => delivery.status !== 'pending' && predicate(delivery),
        resolve: (delivery) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(delivery);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * Resolves once no delivery is pending. With a `ManualClock` that needs the clock advanced past
   * each retry: `await quiet(); clock.set(nextWakeAt())` in a loop, or use `settleOnManualClock`.
   */
  settled(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  /**
   * Resolves once no attempt is in flight: every pending delivery is waiting on the clock for its
   * next attempt (see {@link nextWakeAt}). Network I/O runs in real time even with a `ManualClock`;
   * this is how a test knows an attempt has ended before it moves the clock. An attempt whose
   * receiver never answers stays in flight until the clock passes its timeout.
   */
  quiet(): Promise<void> {
    if (!this.#busy()) return Promise.resolve();
    return new Promise((resolve) => this.#quietWaiters.push(resolve));
  }

  /** The earliest time a pending delivery waits for (its next attempt), on the mock clock. */
  nextWakeAt(): number | undefined {
    const times = [...this.#running.values()].flatMap(({ record }) => (record.nextAttemptAt === undefined ? [] : [record.nextAttemptAt]));
    return times.length === 0 ? undefined : Math.min(...times);
  }

  /**
   * Forgets every delivery and cancels everything under way: scheduled retries (their clock waits
   * are withdrawn) and attempts in flight (their sockets are destroyed). Pending `waitFor()` calls
   * reject; `settled()` and `quiet()` resolve.
   */
  reset(): void {
    const cancelled = new Error('webhook deliveries were reset');
    for (const running of this.#running.values()) running.abort.abort(cancelled);
    this.#running.clear();
    this.#deliveries.clear();
    this.#signatures.clear();
    this.#settledOrder = [];
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(cancelled);
    this.#wakeQuiet();
    this.#wakeSettled();
  }

  /** `reset()`, then refuses new deliveries; resolves once every cancelled attempt has wound down. */
  async close(): Promise<void> {
    const running = [...this.#running.values()].map((entry) => entry.done);
    this.#closed = true;
    this.reset();
    await Promise.allSettled(running);
  }

  async #run(running: Running, url: URL): Promise<void> {
    const { record, abort } = running;
    try {
      for (let number = 1; ; number++) {
        const attempt = await this.#attempt(running, url, number);
        if (abort.signal.aborted) return;
        if (attempt === 'refused' || attempt === 'delivered') return;
        if (number >= this.#options.maxAttempts) {
          this.#settle(record, 'failed', `no 2xx answer after ${number} attempt${number === 1 ? '' : 's'}; last: ${attempt}`);
          return;
        }
        record.nextAttemptAt = this.#clock.now() + this.#backoff(number);
        running.sending = false;
        this.#wakeQuiet();
        await this.#clock.sleepUntil(record.nextAttemptAt, abort.signal);
        running.sending = true;
        record.nextAttemptAt = undefined;
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      this.#settle(record, 'failed', `the mock could not send it: ${messageOf(error)}`);
    }
  }

  /** The wait after attempt `number` failed, before the next one. */
  #backoff(number: number): number {
    const { baseDelayMs, maxDelayMs, jitter, random } = this.#options;
    const doubled = Math.min(maxDelayMs, baseDelayMs * 2 ** (number - 1));
    return Math.round(doubled * (1 - jitter * random()));
  }

  /** One attempt: 'delivered', 'refused' (both settle the delivery) or why it failed. */
  async #attempt(running: Running, url: URL, number: number): Promise<'delivered' | 'refused' | string> {
    const { record, request } = running;
    const startedAt = this.#clock.now();
    const attempt: AttemptRecord = { number, startedAt, requestHeaders: this.#headersFor(request, record.rawBody, startedAt) };
    const began = performance.now();

    // One signal ends the attempt: the delivery being cancelled, or the timeout on the mock clock.
    const attemptAbort = new AbortController();
    const timer = new AbortController();
    const cancel = () => {
      timer.abort();
      attemptAbort.abort(running.abort.signal.reason);
    };
    running.abort.signal.addEventListener('abort', cancel, { once: true });
    this.#clock
      .sleepUntil(startedAt + this.#options.attemptTimeoutMs, timer.signal)
      .then(() => attemptAbort.abort(new AttemptTimeout(this.#options.attemptTimeoutMs)))
      .catch(() => {});
    try {
      const target = await abortable(this.#policy.resolve(url, this.#options.resolver), attemptAbort.signal);
      if (!target.ok) {
        // Never sent, so no attempt is recorded.
        this.#settle(record, 'refused', target.reason);
        return 'refused';
      }
      record.attempts.push(attempt);
      const { location, ...answer } = await postOnce(url, target.addresses, attempt.requestHeaders, record.rawBody, attemptAbort.signal, { ca: this.#ca, maxResponseBytes: this.#options.maxResponseBytes });
      Object.assign(attempt, answer);
      if (answer.httpStatus >= 200 && answer.httpStatus < 300) {
        attempt.outcome = 'delivered';
        this.#finish(attempt, began);
        this.#settle(record, 'delivered');
        return 'delivered';
      }
      const redirect = answer.httpStatus >= 300 && answer.httpStatus < 400;
      attempt.outcome = redirect ? 'redirect' : 'http-error';
      attempt.error = redirect
        ? `answered ${answer.httpStatus} (redirect to ${location ?? 'nowhere'}); redirects are not followed`
        : `answered ${answer.httpStatus}`;
      return attempt.error;
    } catch (error) {
      if (!record.attempts.includes(attempt)) record.attempts.push(attempt);
      const reason: unknown = attemptAbort.signal.aborted ? attemptAbort.signal.reason : error;
      attempt.outcome = reason instanceof AttemptTimeout ? 'timeout' : 'network-error';
      attempt.error = messageOf(reason);
      return attempt.error;
    } finally {
      this.#finish(attempt, began);
      timer.abort();
      running.abort.signal.removeEventListener('abort', cancel);
    }
  }

  #finish(attempt: AttemptRecord, began: number): void {
    if (attempt.finishedAt !== undefined) return;
    attempt.finishedAt = this.#clock.now();
    attempt.elapsedMs = Math.round((performance.now() - began) * 1000) / 1000;
  }

  #headersFor(request: WebhookRequest, rawBody: Buffer, sentAt: number): Record<string, string> {
    const extra = request.headers?.(rawBody, sentAt) ?? {};
    const framing = Object.keys(extra).filter((name) => FRAMING_HEADERS.has(name.toLowerCase()));
    if (framing.length > 0) throw new Error(`the headers callback may not set ${framing.join(', ')}`);
    return { ...extra, 'Content-Type': 'application/json', 'Content-Length': String(rawBody.length) };
  }

  #settle(record: DeliveryRecord, status: Exclude<WebhookStatus, 'pending'>, reason?: string): void {
    // An attempt that ended as reset() ran belongs to a forgotten delivery.
    if (this.#deliveries.get(record.id) !== record) return;
    record.status = status;
    if (reason !== undefined) record.reason = reason;
    record.settledAt = this.#clock.now();
    record.nextAttemptAt = undefined;
    const wasRunning = this.#running.delete(record.id);
    this.#settledOrder.push(record.id);
    this.#dropExpired();
    this.#options.onSettled?.(record);
    if (wasRunning) {
      this.#notifyWaiters(record);
      this.#wakeQuiet();
      if (this.#running.size === 0) this.#wakeSettled();
    }
  }

  #notifyWaiters(record: DeliveryRecord): void {
    if (record.status === 'pending') return;
    const waiting = this.#waiters.filter((waiter) => waiter.match(record));
    this.#waiters = this.#waiters.filter((waiter) => !waiting.includes(waiter));
    for (const waiter of waiting) waiter.resolve(record);
  }

  /**
   * Whether an attempt is in flight or due: a retry whose time has come counts as under way even
   * before its clock wait has woken it (that takes a few microtasks after `ManualClock.set`).
   */
  #busy(): boolean {
    const now = this.#clock.now();
    return [...this.#running.values()].some(({ sending, record }) => sending || (record.nextAttemptAt !== undefined && record.nextAttemptAt <= now));
  }

  #wakeQuiet(): void {
    if (this.#busy()) return;
    const waiters = this.#quietWaiters;
    this.#quietWaiters = [];
    for (const wake of waiters) wake();
  }

  #wakeSettled(): void {
    const waiters = this.#settledWaiters;
    this.#settledWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Drops settled deliveries beyond `maxKept` or older than `maxAgeMs`, oldest first. */
  #dropExpired(): void {
    const cutoff = this.#clock.now() - this.#options.maxAgeMs;
    let drop = 0;
    while (drop < this.#settledOrder.length) {
      const record = this.#deliveries.get(this.#settledOrder[drop] as string);
      const tooMany = this.#settledOrder.length - drop > this.#options.maxKept;
      if (!tooMany && record !== undefined && (record.settledAt ?? 0) >= cutoff) break;
      if (record) this.#deliveries.delete(record.id);
      this.#signatures.delete(this.#settledOrder[drop] as string);
      drop++;
    }
    if (drop > 0) this.#settledOrder = this.#settledOrder.slice(drop);
  }
}

/**
 * Runs every pending delivery to its end on a manual clock: waits for attempts in flight, then jumps
 * the clock to the next retry, until none is pending. Bounded by `maxSteps` clock jumps (default 100).
 */
export async function settleOnManualClock(
  dispatcher: WebhookDispatcher,
  clock: { set(epochMs: number): void; now(): number },
  maxSteps = 100,
): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    await dispatcher.quiet();
    const wake = dispatcher.nextWakeAt();
    if (wake === undefined) return;
    clock.set(Math.max(wake, clock.now()));
  }
  throw new Error(`webhook deliveries still pending after ${maxSteps} clock jumps`);
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

function checked(name: string, value: number, min: number, max: number, integer = false): number {
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`webhooks.${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${value}`);
  }
  return value;
}

/**
 * PEM text holding at least one certificate, each of which parses: Node would otherwise take any
 * text as `ca` and every https delivery would then fail its TLS check, far from the mistake.
 */
function checkedCertificates(pem: string | Buffer, where: string): string | Buffer {
  const text = pem.toString();
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TypeError(`${where} must be PEM certificates (-----BEGIN CERTIFICATE----- ...), got ${JSON.stringify(text.slice(0, 40))}`);
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new TypeError(`${where}: certificate ${i + 1} does not parse: ${(error as Error).message}`);
    }
  }
  return pem;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
