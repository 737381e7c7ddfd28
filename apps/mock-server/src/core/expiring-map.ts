import type { Clock } from './clock.js';

/**
 * A map whose entries expire, for state kept "this long after it settles" (jobs, idempotency keys,
 * batches). Each write first forgets expired entries from the oldest end and stops at the first
 * live one, so the cost per write is amortised O(1) however many entries are live.
 *
 * The obvious alternative, a full scan every N writes, costs O(live entries) per scan: over a long
 * run in which nothing has expired yet (a benchmark, a soak) that is quadratic, and it was 20% of
 * the mock's CPU on useapi.net's batch create. Entries are kept in insertion order; expiry times
 * that grow with it are swept exactly, and one that expires before an older entry waits for it (at
 * most the spread of expiry times, e.g. the longest job duration). Reads never return an expired
 * entry either way.
 *
 * An idle map must let go too: one housekeeping sleep on the clock waits for the oldest entry's
 * expiry and sweeps then, so a server left alone after a burst of traffic returns to its baseline
 * memory without another write. It is unref'd (never keeps a process alive), ends on `clear()`
 * and on the clock's close (`ClosableClock`).
 */
export class ExpiringMap<K, V> {
  #entries = new Map<K, V>();
  /** The pending housekeeping sweep, if one is armed. */
  #sweeper: AbortController | undefined;

  constructor(
    private readonly clock: Clock,
    /** When an entry expires (epoch ms on `clock`); read at every check, so it may change over time. */
    private readonly expiresAt: (value: V) => number,
  ) {}

  /** The live entry for `key`; an expired one is forgotten and undefined returned. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    if (this.clock.now() >= this.expiresAt(value)) {
      this.#entries.delete(key);
      return undefined;
    }
    return value;
  }

  /** Stores `value` as the newest entry, after forgetting expired entries from the oldest end. */
  set(key: K, value: V): this {
    this.#sweep();
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#sweeper === undefined) this.#armSweeper();
    return this;
  }

  /** The live values, oldest first (expired ones are skipped, not forgotten). */
  *values(): IterableIterator<V> {
    const now = this.clock.now();
    for (const value of this.#entries.values()) if (now < this.expiresAt(value)) yield value;
  }

  /** Live entries with their keys, oldest first. */
  *entries(): IterableIterator<[K, V]> {
    const now = this.clock.now();
    for (const entry of this.#entries) if (now < this.expiresAt(entry[1])) yield entry;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#sweeper?.abort();
    this.#sweeper = undefined;
  }

  /** Entries held, expired ones not yet forgotten included. */
  get size(): number {
    return this.#entries.size;
  }

  #sweep(): void {
    const now = this.clock.now();
    for (const [key, value] of this.#entries) {
      if (now < this.expiresAt(value)) return;
      this.#entries.delete(key);
    }
  }

  /** Sleeps until the oldest entry expires, sweeps, and sleeps again while entries are left. */
  #armSweeper(): void {
    const oldest = this.#entries.values().next();
    if (oldest.done) return;
    const sweeper = new AbortController();
    this.#sweeper = sweeper;
    this.clock.sleepUntil(this.expiresAt(oldest.value), sweeper.signal, { housekeeping: true }).then(
      () => {
        if (this.#sweeper !== sweeper) return;
        this.#sweeper = undefined;
        this.#sweep();
        this.#armSweeper();
      },
      () => {
        // Cleared, or the server closed: nothing more to sweep.
        if (this.#sweeper === sweeper) this.#sweeper = undefined;
      },
    );
  }
}
