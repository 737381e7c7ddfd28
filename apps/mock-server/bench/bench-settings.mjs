// What the bench scripts share: reading their settings from the environment.
import process from 'node:process';

/** An integer setting from the environment, `fallback` when unset; anything outside min..max stops the bench. */
export function intFromEnv(name, fallback, min, max) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer ${min}-${max}, got ${raw}`);
  return value;
}
