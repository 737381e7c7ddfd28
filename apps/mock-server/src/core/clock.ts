/**
 * Time as the mock server sees it. Job life cycles, rate-limit windows and result expiry all read
 * this clock, so a test can swap real time for a manual clock and jump ahead instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `now() >= at`; rejects with `signal.reason` if aborted first. */
  sleepUntil(at: number, signal?: AbortSignal, options?: SleepOptions): Promise<void>;
}

export interface SleepOptions {
  /**
   * A sleep that only tidies up (forgetting expired jobs and keys), which nothing waits on: a
   * `ManualClock` leaves it out of `pendingSleeps`. Default: `false`.
   */
  housekeeping?: boolean;
}

/** Longest delay Node's setTimeout takes (about 24.8 days); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Real time. Timers are unref'd so a pending sleep never keeps a process alive. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // A time already reached needs no timer: Node rounds even setTimeout(0) up to about 1 ms,
      // which capped every request that waits on a job settling at creation (instant timing).
      if (at <= Date.now()) return resolve();
      let timer = arm();
      signal?.addEventListener('abort', onAbort, { once: true });
      // A retention of weeks is longer than one timer can wait: wait in steps.
      function arm() {
        const timeout = setTimeout(done, Math.min(MAX_TIMER_MS, at - Date.now()));
        timeout.unref();
        return timeout;
      }
      function done() {
        if (Date.now() < at) {
          timer = arm();
          return;
        }
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }
      function onAbort() {
        clearTimeout(timer);
        reject(signal?.reason);
      }
    });
  }
}

interface Sleeper {
  at: number;
  housekeeping: boolean;
  resolve: () => void;
}

/** A clock that moves only when told to: `advance(ms)` or `set(epochMs)`. */
export class ManualClock implements Clock {
  #now: number;
  // A set: a sleep aborted early (a cancelled job's settle wait, 100k of them on close) leaves in O(1).
  #sleepers = new Set<Sleeper>();

  /** @param start epoch ms to start at. Default: the real time at construction. */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward and wakes every sleeper whose time has come, in time order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance() takes a non-negative duration, got ${ms}`);
    this.set(this.#now + ms);
  }

  /** Jumps to an absolute time (never backwards). */
  set(epochMs: number): void {
    if (epochMs < this.#now) throw new RangeError('a ManualClock never goes backwards');
    this.#now = epochMs;
    const due = [...this.#sleepers].filter((s) => s.at <= epochMs).sort((a, b) => a.at - b.at);
    for (const sleeper of due) this.#sleepers.delete(sleeper);
    for (const sleeper of due) sleeper.resolve();
  }

  sleepUntil(at: number, signal?: AbortSignal, options: SleepOptions = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (at <= this.#now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at,
        housekeeping: options.housekeeping ?? false,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.add(sleeper);
    });
  }

  /** How many sleeps are waiting (housekeeping left out): lets a test see that a request has reached its wait. */
  get pendingSleeps(): number {
    return [...this.#sleepers].filter((sleeper) => !sleeper.housekeeping).length;
  }
}

/**
 * A clock whose housekeeping sleeps all end when `close()` is called, for one mock server: its
 * expiry sweeps then stop with it. Other sleeps pass straight to `inner`, at no extra cost.
 */
export class ClosableClock implements Clock {
  readonly #closed = new AbortController();

  constructor(readonly inner: Clock) {}

  now(): number {
    return this.inner.now();
  }

  sleepUntil(at: number, signal?: AbortSignal, options?: SleepOptions): Promise<void> {
    if (!options?.housekeeping) return this.inner.sleepUntil(at, signal, options);
    if (this.#closed.signal.aborted) return Promise.reject(this.#closed.signal.reason);
    // Both the caller's signal and close() end it; the listeners go with the sleep.
    const either = new AbortController();
    const abort = (reason: unknown) => either.abort(reason);
    const onCaller = () => abort(signal?.reason);
    const onClose = () => abort(this.#closed.signal.reason);
    signal?.addEventListener('abort', onCaller, { once: true });
    this.#closed.signal.addEventListener('abort', onClose, { once: true });
    if (signal?.aborted) onCaller();
    return this.inner.sleepUntil(at, either.signal, options).finally(() => {
      signal?.removeEventListener('abort', onCaller);
      this.#closed.signal.removeEventListener('abort', onClose);
    });
  }

  /** Ends every housekeeping sleep (they reject) and refuses new ones. */
  close(): void {
    this.#closed.abort(new Error('the mock server was closed'));
  }
}
