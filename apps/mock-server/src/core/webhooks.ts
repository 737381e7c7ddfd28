import type { Clock } from './clock.js';
import { OutboundPolicy } from './outbound-address.js';
import { DeliveryLog } from './webhook-log.js';
import type { DeliveryRecord } from './webhook-log.js';
import { dispatcherSettings } from './webhook-options.js';
import type { DispatcherSettings } from './webhook-options.js';
import { runDelivery } from './webhook-retry.js';
import type { RetryEnvironment, Running } from './webhook-retry.js';
import { DeliveryWaiters } from './webhook-waiters.js';
import type {
  SignatureVerification,
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
 *
 * The dispatcher composes one module per concern: options (webhook-options.ts), the record of
 * deliveries (webhook-log.ts), who waits on them (webhook-waiters.ts), the retry scheduler
 * (webhook-retry.ts) and one POST on the wire (webhook-transport.ts).
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

/** Delivers webhooks for every mocked API; see {@link WebhookDispatcherOptions} for the policy. */
export class WebhookDispatcher {
  readonly #clock: Clock;
  readonly #policy: OutboundPolicy;
  readonly #settings: DispatcherSettings;
  readonly #log: DeliveryLog;
  readonly #waiters = new DeliveryWaiters();
  readonly #running = new Map<string, Running>();
  readonly #retry: RetryEnvironment;
  #closed = false;

  constructor(clock: Clock, options: WebhookDispatcherOptions = {}) {
    this.#clock = clock;
    this.#policy = new OutboundPolicy(options.allowedRanges);
    this.#settings = dispatcherSettings(options);
    this.#log = new DeliveryLog(clock, this.#settings);
    this.#retry = {
      clock,
      policy: this.#policy,
      settings: this.#settings,
      settle: (record, status, reason) => this.#settle(record, status, reason),
      waiting: () => this.#waiters.wakeQuiet(this.#busy()),
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
    const record = this.#log.add(request, json);

    // A payload that breaks the spec is withheld, as the HTTP pipeline answers a 500 instead of a
    // body that breaks the spec: a receiver under test must never learn to accept a shape the
    // vendor does not send. The violation is reported and kept on the record.
    if (violation !== undefined) {
      record.violation = violation;
      this.#settle(record, 'refused', `payload violates the spec's callback schema, so it was not sent: ${violation}`);
      this.#settings.onViolation?.({ api: record.api, deliveryId: record.id, url: record.url, message: violation });
    } else if (!target.ok) {
      this.#settle(record, 'refused', target.reason);
    } else if (this.#running.size >= this.#settings.maxPending) {
      this.#settle(record, 'refused', `${this.#running.size} deliveries are already pending (maxPending)`);
    } else {
      const running: Running = { record, request, abort: new AbortController(), sending: true, done: Promise.resolve() };
      this.#running.set(record.id, running);
      running.done = runDelivery(running, target.url, this.#retry).catch((error: unknown) => {
        console.error(`[mock-server] webhook ${record.id}: a hook threw`, error);
      });
    }
    this.#waiters.notify(record);
    return record;
  }

  /**
   * Records a delivery that is never sent, as `refused` with `reason`: for callbacks that fall due
   * after the server was closed (allowed then, unlike `deliver`), so they show in the log instead
   * of being thrown at whoever triggered them.
   */
  refuse(request: WebhookRequest, reason: string): WebhookDelivery {
    // Never sent, so there is no signature to check later.
    const record = this.#log.add({ ...request, signature: undefined }, JSON.stringify(request.payload) as string | undefined);
    this.#settle(record, 'refused', reason);
    this.#waiters.notify(record);
    return record;
  }

  /** A delivery by id, while it is kept. */
  get(id: string): WebhookDelivery | undefined {
    return this.#log.get(id);
  }

  /** Kept deliveries matching the filter, oldest first. */
  list(filter: WebhookFilter = {}): WebhookDelivery[] {
    return this.#log.list(filter);
  }

  /**
   * Whether each attempt of a kept delivery carried a signature that verifies over the bytes sent
   * with the secret its sender gave (the secret masked); undefined for an unsigned delivery.
   */
  verifySignature(delivery: WebhookDelivery): SignatureVerification | undefined {
    return this.#log.verifySignature(delivery);
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
    return this.#waiters.waitFor(this.#log.all(), predicate, options.signal);
  }

  /**
   * Resolves once no delivery is pending. With a `ManualClock` that needs the clock advanced past
   * each retry: `await quiet(); clock.set(nextWakeAt())` in a loop, or use `settleOnManualClock`.
   */
  settled(): Promise<void> {
    return this.#waiters.whenSettled(this.#running.size > 0);
  }

  /**
   * Resolves once no attempt is in flight: every pending delivery is waiting on the clock for its
   * next attempt (see {@link nextWakeAt}). Network I/O runs in real time even with a `ManualClock`;
   * this is how a test knows an attempt has ended before it moves the clock. An attempt whose
   * receiver never answers stays in flight until the clock passes its timeout.
   */
  quiet(): Promise<void> {
    return this.#waiters.whenQuiet(this.#busy());
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
    this.#log.clear();
    this.#waiters.rejectAll(cancelled);
    this.#waiters.wakeQuiet(false);
    this.#waiters.wakeSettled();
  }

  /** `reset()`, then refuses new deliveries; resolves once every cancelled attempt has wound down. */
  async close(): Promise<void> {
    const running = [...this.#running.values()].map((entry) => entry.done);
    this.#closed = true;
    this.reset();
    await Promise.allSettled(running);
  }

  #settle(record: DeliveryRecord, status: Exclude<WebhookStatus, 'pending'>, reason?: string): void {
    // An attempt that ended as reset() ran belongs to a forgotten delivery.
    if (!this.#log.holds(record)) return;
    record.status = status;
    if (reason !== undefined) record.reason = reason;
    record.settledAt = this.#clock.now();
    record.nextAttemptAt = undefined;
    const wasRunning = this.#running.delete(record.id);
    this.#log.settled(record);
    this.#settings.onSettled?.(record);
    if (wasRunning) {
      this.#waiters.notify(record);
      this.#waiters.wakeQuiet(this.#busy());
      if (this.#running.size === 0) this.#waiters.wakeSettled();
    }
  }

  /**
   * Whether an attempt is in flight or due: a retry whose time has come counts as under way even
   * before its clock wait has woken it (that takes a few microtasks after `ManualClock.set`).
   */
  #busy(): boolean {
    const now = this.#clock.now();
    return [...this.#running.values()].some(({ sending, record }) => sending || (record.nextAttemptAt !== undefined && record.nextAttemptAt <= now));
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
