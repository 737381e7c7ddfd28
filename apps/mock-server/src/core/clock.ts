/**
 * Time as the mock server sees it. Job life cycles, rate-limit windows and result expiry all read
 * this clock, so a test can swap real time for a manual clock and jump ahead instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `now() >= at`; rejects with `signal.reason` if aborted first. */
  sleepUntil(at: number, signal?: AbortSignal): Promise<void>;
}

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
      const timer = setTimeout(done, at - Date.now());
      timer.unref();
      signal?.addEventListener('abort', onAbort, { once: true });
      function done() {
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
  resolve: () => void;
}

/** A clock that moves only when told to: `advance(ms)` or `set(epochMs)`. */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

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
    const due = this.#sleepers.filter((s) => s.at <= epochMs).sort((a, b) => a.at - b.at);
    this.#sleepers = this.#sleepers.filter((s) => s.at > epochMs);
    for (const sleeper of due) sleeper.resolve();
  }

  sleepUntil(at: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (at <= this.#now) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /** How many sleeps are waiting: lets a test see that a request has reached its wait. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }
}
