import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';

import type { Request, Response } from 'express';

import type { Clock } from './clock.js';
import { ExpiringMap } from './expiring-map.js';
import type { ProblemError } from './problems.js';
import { contextOf, principalOf } from './vendor-api.js';

/** The first answer to an idempotent request, replayed to every retry of it. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

/** The two steps of an operation that honours an idempotency key. */
export interface IdempotentSteps<TPlan> {
  /**
   * Everything that decides whether this caller may make this request at all (the key's model
   * scope, the model and options it asks for), without side effects. It runs before the store is
   * consulted, so a replay never answers a caller what it would be refused without one.
   */
  authorize(): TPlan | Promise<TPlan>;
  /** Does the work, once per key; its answer is stored and replayed. */
  produce(plan: TPlan): Promise<StoredResponse>;
}

export interface IdempotencyOptions {
  /** How long a key is remembered from its first use. Default: 24 hours, as common idempotency implementations do. */
  ttlMs?: number;
  /** The request header carrying the key. Default: `'Idempotency-Key'`. */
  header?: string;
  /**
   * The vendor's answer to a key reused with another body (LumixAI: 409 `idempotency_conflict`):
   * a problem of the vendor's own kind, since only a vendor that documents keys documents it.
   */
  conflict(message: string): ProblemError;
}

interface Entry {
  fingerprint: string;
  expiresAt: number;
  response: Promise<StoredResponse>;
}

/**
 * Remembers requests by (scope, key) for a retention period. A retry with the same body gets the
 * original response, even while the original is still being produced; the same key with another
 * body is a conflict. Expired keys are forgotten as new ones come in (an `ExpiringMap`), so unique
 * keys never pile up.
 */
export class IdempotencyStore {
  #entries: ExpiringMap<string, Entry>;
  private readonly ttlMs: number;
  private readonly header: string;
  readonly #conflict: (message: string) => ProblemError;

  constructor(
    private readonly clock: Clock,
    options: IdempotencyOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.header = options.header ?? 'Idempotency-Key';
    this.#conflict = options.conflict;
    this.#entries = new ExpiringMap(clock, (entry) => entry.expiresAt);
  }

  /**
   * Answers an operation that honours the key header: `authorize` first, always; then, with a key,
   * the stored answer (a replay), the vendor's `conflict` problem (same key, other body), or
   * `produce` run once and stored. Keys are scoped per workspace and operation.
   */
  async respond<TPlan>(req: Request, res: Response, steps: IdempotentSteps<TPlan>): Promise<void> {
    const plan = await steps.authorize();
    const key = req.get(this.header);
    const answer = key === undefined ? await steps.produce(plan) : await this.#once(scopeOf(req), key, requestOf(req), () => steps.produce(plan));
    res.status(answer.status).json(answer.body);
  }

  /** Keys currently remembered, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }

  async #once(scope: string, key: string, body: unknown, produce: () => Promise<StoredResponse>): Promise<StoredResponse> {
    const now = this.clock.now();
    const id = `${scope}\u0000${key}`;
    const fingerprint = fingerprintOf(body);
    const existing = this.#entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint) throw this.#conflict(`${this.header} was already used with a different request body`);
      return existing.response;
    }
    let complete!: (response: StoredResponse) => void;
    let fail!: (reason: Error) => void;
    const response = new Promise<StoredResponse>((resolve, reject) => {
      complete = resolve;
      fail = reject;
    });
    response.catch(() => undefined);
    this.#entries.set(id, { fingerprint, expiresAt: now + this.ttlMs, response });
    try {
      const answer = await produce();
      complete(answer);
      return answer;
    } catch (error) {
      // A request that failed leaves no trace, so it can be retried as new.
      this.#entries.delete(id);
      fail(new Error('original request did not complete'));
      throw error;
    }
  }
}

/** Keys of one workspace never meet those of another, nor one operation's another's. */
function scopeOf(req: Request): string {
  return `${principalOf(req).workspace}\u0000${contextOf(req).operation?.operationId ?? req.path}`;
}

/** What makes two requests the same: the body, and the bytes of any uploaded files. */
function requestOf(req: Request): unknown {
  const { uploads } = contextOf(req);
  if (uploads.length === 0) return req.body as unknown;
  const files = uploads.map((file) => [file.field, file.filename, file.mimeType, createHash('sha256').update(file.bytes).digest('hex')]);
  return { body: req.body as unknown, files };
}

/**
 * Order-insensitive digest of a JSON body, so `{a,b}` and `{b,a}` are the same request. Fed into
 * the hash piece by piece: a 24 MB inline image is hashed without being copied into a string first.
 */
export function fingerprintOf(body: unknown): string {
  const hash = createHash('sha256');
  feed(hash, body);
  return hash.digest('hex');
}

function feed(hash: Hash, value: unknown): void {
  if (typeof value === 'string') {
    // Length-prefixed rather than quoted: no escaping pass over a long value, still unambiguous.
    hash.update(`s${value.length}:`).update(value);
  } else if (Array.isArray(value)) {
    hash.update('[');
    for (const item of value) feed(hash.update(','), item);
    hash.update(']');
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    hash.update('{');
    for (const [key, item] of entries) feed(hash.update(',').update(`s${key.length}:`).update(key).update(':'), item);
    hash.update('}');
  } else {
    hash.update(JSON.stringify(value) ?? 'null');
  }
}
