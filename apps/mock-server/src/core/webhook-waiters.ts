import type { WebhookDelivery } from './webhook-types.js';

// Who waits on deliveries (tests, mostly): for one to settle, for none to be in flight, for none
// to be pending. The dispatcher says when something changed; this decides whom it wakes.

interface Waiter {
  match: (delivery: WebhookDelivery) => boolean;
  resolve: (delivery: WebhookDelivery) => void;
  reject: (error: unknown) => void;
}

export class DeliveryWaiters {
  #waiters: Waiter[] = [];
  #quiet: Array<() => void> = [];
  #settled: Array<() => void> = [];

  /**
   * The first of `kept` that is settled and matches, at once; else the first to settle later (see
   * `notify`). Rejects on `rejectAll` or when `signal` aborts.
   */
  waitFor(kept: Iterable<WebhookDelivery>, predicate: (delivery: WebhookDelivery) => boolean, signal?: AbortSignal): Promise<WebhookDelivery> {
    const match = (delivery: WebhookDelivery) => delivery.status !== 'pending' && predicate(delivery);
    for (const delivery of kept) if (match(delivery)) return Promise.resolve(delivery);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((candidate) => candidate !== waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        match,
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

  /** Resolves the waiters a settled delivery matches (a pending one matches none). */
  notify(delivery: WebhookDelivery): void {
    if (delivery.status === 'pending') return;
    const waiting = this.#waiters.filter((waiter) => waiter.match(delivery));
    this.#waiters = this.#waiters.filter((waiter) => !waiting.includes(waiter));
    for (const waiter of waiting) waiter.resolve(delivery);
  }

  /** Rejects every `waitFor` still waiting. */
  rejectAll(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  /** Resolves once `wakeQuiet` is called with nothing busy (at once when nothing is now). */
  whenQuiet(busy: boolean): Promise<void> {
    if (!busy) return Promise.resolve();
    return new Promise((resolve) => this.#quiet.push(resolve));
  }

  wakeQuiet(busy: boolean): void {
    if (busy) return;
    const waiters = this.#quiet;
    this.#quiet = [];
    for (const wake of waiters) wake();
  }

  /** Resolves once `wakeSettled` is called (at once when nothing is pending now). */
  whenSettled(pending: boolean): Promise<void> {
    if (!pending) return Promise.resolve();
    return new Promise((resolve) => this.#settled.push(resolve));
  }

  wakeSettled(): void {
    const waiters = this.#settled;
    this.#settled = [];
    for (const wake of waiters) wake();
  }
}
