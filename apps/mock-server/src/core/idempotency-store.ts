import { createHash } from 'node:crypto';

import type { Clock } from './clock.js';

/** The first answer to an idempotent request, replayed to every retry of it. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  response: Promise<StoredResponse>;
}

export type IdempotencyOutcome =
  | { kind: 'new'; complete: (response: StoredResponse) => void; abandon: () => void }
  | { kind: 'replay'; response: Promise<StoredResponse> }
  | { kind: 'conflict' };

/**
 * Remembers requests by (scope, key). A retry with the same body gets the original response, even
 * while the original is still being produced; the same key with another body is a conflict.
 */
export class IdempotencyStore {
  #entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    /** How long a key is remembered. Default: 24 hours, as common idempotency implementations do. */
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  begin(scope: string, key: string, body: unknown): IdempotencyOutcome {
    const id = `${scope}\u0000${key}`;
    const fingerprint = fingerprintOf(body);
    const now = this.clock.now();
    const existing = this.#entries.get(id);
    if (existing && existing.expiresAt > now) {
      return existing.fingerprint === fingerprint ? { kind: 'replay', response: existing.response } : { kind: 'conflict' };
    }
    let complete!: (response: StoredResponse) => void;
    let fail!: (reason: Error) => void;
    const response = new Promise<StoredResponse>((resolve, reject) => {
      complete = resolve;
      fail = reject;
    });
    response.catch(() => undefined);
    this.#entries.set(id, { fingerprint, expiresAt: now + this.ttlMs, response });
    return {
      kind: 'new',
      complete,
      // A request that failed before doing anything leaves no trace, so it can be retried as new.
      abandon: () => {
        this.#entries.delete(id);
        fail(new Error('original request did not complete'));
      },
    };
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** Order-insensitive digest of a JSON body, so `{a,b}` and `{b,a}` are the same request. */
export function fingerprintOf(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
