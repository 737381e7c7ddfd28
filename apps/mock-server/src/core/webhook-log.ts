import type { Clock } from './clock.js';
import { maskSecret } from './secrets.js';
import type { WebhookSignature } from './webhook-signature.js';
import type { SignatureVerification, WebhookAttempt, WebhookDelivery, WebhookFilter, WebhookRequest } from './webhook-types.js';

// The record of deliveries: what was sent (or refused), kept for inspection up to a count and an
// age, apart from the sending itself (webhook-retry.ts) and from who waits for it (webhook-waiters.ts).

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type AttemptRecord = Mutable<WebhookAttempt>;
export interface DeliveryRecord extends Mutable<WebhookDelivery> {
  attempts: AttemptRecord[];
}

export interface LogLimits {
  /** Settled deliveries kept; the oldest are dropped beyond it. */
  maxKept: number;
  /** How long a settled delivery is kept, in ms on the clock. */
  maxAgeMs: number;
}

/** Deliveries by id in creation order; settled ones dropped oldest first past the limits. */
export class DeliveryLog {
  readonly #clock: Clock;
  readonly #limits: LogLimits;
  readonly #deliveries = new Map<string, DeliveryRecord>();
  /** Settled deliveries' ids in settling order, for dropping the oldest. */
  #settledOrder: string[] = [];
  /** How each kept delivery was signed, by id, where its sender said (see `verifySignature`). */
  readonly #signatures = new Map<string, WebhookSignature>();
  #nextId = 1;

  constructor(clock: Clock, limits: LogLimits) {
    this.#clock = clock;
    this.#limits = limits;
  }

  /**
   * A new pending record of `request`, whose payload was serialized as `json` (undefined for a
   * payload with no JSON form, which only a refused delivery may have).
   */
  add(request: WebhookRequest, json: string | undefined): DeliveryRecord {
    const record: DeliveryRecord = {
      id: `wh_${this.#nextId++}`,
      api: request.api,
      url: request.url,
      // What was serialized, so later changes to the caller's object do not show up here.
      payload: json === undefined ? undefined : (JSON.parse(json) as unknown),
      rawBody: Buffer.from(json ?? '', 'utf8'),
      status: 'pending',
      createdAt: this.#clock.now(),
      attempts: [],
    };
    this.#deliveries.set(record.id, record);
    if (request.signature) this.#signatures.set(record.id, request.signature);
    return record;
  }

  /** Whether the record is still kept: one forgotten by `clear()` is not, even with its id. */
  holds(record: DeliveryRecord): boolean {
    return this.#deliveries.get(record.id) === record;
  }

  /** Notes that the record stopped being pending, and drops what the limits no longer keep. */
  settled(record: DeliveryRecord): void {
    this.#settledOrder.push(record.id);
    this.#dropExpired();
  }

  get(id: string): WebhookDelivery | undefined {
    this.#dropExpired();
    return this.#deliveries.get(id);
  }

  list(filter: WebhookFilter = {}): WebhookDelivery[] {
    this.#dropExpired();
    return [...this.#deliveries.values()].filter(
      (delivery) =>
        (filter.api === undefined || delivery.api === filter.api) &&
        (filter.status === undefined || delivery.status === filter.status) &&
        (filter.url === undefined || delivery.url === filter.url),
    );
  }

  /** Every kept delivery, oldest first, without dropping expired ones first. */
  all(): IterableIterator<WebhookDelivery> {
    return this.#deliveries.values();
  }

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

  /** Forgets every delivery; ids go on counting, so none is ever reused. */
  clear(): void {
    this.#deliveries.clear();
    this.#signatures.clear();
    this.#settledOrder = [];
  }

  /** Drops settled deliveries beyond `maxKept` or older than `maxAgeMs`, oldest first. */
  #dropExpired(): void {
    const cutoff = this.#clock.now() - this.#limits.maxAgeMs;
    let drop = 0;
    while (drop < this.#settledOrder.length) {
      const record = this.#deliveries.get(this.#settledOrder[drop] as string);
      const tooMany = this.#settledOrder.length - drop > this.#limits.maxKept;
      if (!tooMany && record !== undefined && (record.settledAt ?? 0) >= cutoff) break;
      if (record) this.#deliveries.delete(record.id);
      this.#signatures.delete(this.#settledOrder[drop] as string);
      drop++;
    }
    if (drop > 0) this.#settledOrder = this.#settledOrder.slice(drop);
  }
}
