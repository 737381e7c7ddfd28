/**
 * Rejects with `message` if `promise` has not settled within `ms`, so a hung wait fails in seconds
 * with a reason instead of at the 60 s test timeout. The promise itself is left to run.
 */
export function within<T>(ms: number, promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} (no answer within ${ms} ms)`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
