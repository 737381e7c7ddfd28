/**
 * Settles like `promise`, except that it rejects with `signal.reason` as soon as `signal` aborts,
 * so a callback that ignores its signal still cannot hold the caller past an abort.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Attached before anything else so a late rejection of `promise` is never reported as unhandled.
    const settled = promise.then(resolve, reject);
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void settled.finally(() => signal.removeEventListener('abort', onAbort));
  });
}
