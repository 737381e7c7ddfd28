import type { RequestHandler, Response } from 'express';

import type { Clock } from '../clock.js';
import { maskHeaders, maskJson, maskJsonText } from '../secrets.js';

/** How much of a request or answer body the inspector keeps, in characters. */
export const BODY_PREVIEW_CHARS = 2000;

/** One request as the inspector lists it: secrets masked, bodies cut to {@link BODY_PREVIEW_CHARS}. */
export interface RequestRecord {
  /** `rq_<n>`, n the request event's id: never reused. */
  id: string;
  /** The slug of the API it was for. */
  api: string;
  method: string;
  /** The request target, secret query parameters masked. */
  path: string;
  /** The status answered; null when no answer was sent (see `outcome`). */
  status: number | null;
  /** Why no answer was sent: the client went away, or a fault dropped it. */
  outcome?: string;
  durationMs: number;
  /** When it arrived, on the mock clock (epoch ms). */
  at: number;
  /** The API key it carried, masked; null without one. */
  key: string | null;
  /** The spec's operationId, when the request reached one. */
  operation?: string;
  /** For an error answer: why, in one line (the request event's reason). */
  reason?: string;
  /** `Prefer` preferences nothing read (a typo). */
  ignoredPreferences?: string[];
  request: { headers: Record<string, string>; body?: string };
  answer: { headers: Record<string, string>; body?: string; truncated?: boolean };
}

/**
 * A request event (`RequestEvent`, see mock-events.ts) as the log reads it: what the pipeline
 * learnt (API, masked key, status, reason) once the request was answered or abandoned.
 */
export interface AnsweredRequest {
  id: number;
  /** Null for the mock's own routes: those are not kept. */
  api: string | null;
  method: string;
  path: string;
  status: number | undefined;
  outcome?: string;
  durationMs: number;
  key?: string;
  reason?: string;
  ignoredPreferences?: string[];
}

/** What {@link RequestLog.capture} keeps of an exchange until its event arrives. */
interface Exchange {
  at: number;
  requestHeaders: Record<string, string>;
  chunks: Buffer[];
  kept: number;
  truncated: boolean;
}

/**
 * The most recent requests per API, each API in a ring of `capacity`: memory stays bounded however
 * long the mock runs, and the newest are always there.
 */
export class RequestLog {
  readonly #rings = new Map<string, { items: RequestRecord[]; next: number }>();
  readonly #exchanges = new WeakMap<Response, Exchange>();

  constructor(
    private readonly clock: Clock,
    /** Requests kept per API. */
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 100_000) throw new RangeError(`inspector.requestsPerApi must be a whole number from 0 to 100000, got ${capacity}`);
  }

  add(record: RequestRecord): void {
    if (this.capacity === 0) return;
    let ring = this.#rings.get(record.api);
    if (!ring) this.#rings.set(record.api, (ring = { items: [], next: 0 }));
    ring.items[ring.next] = record;
    ring.next = (ring.next + 1) % this.capacity;
  }

  /** An API's kept requests, newest first. */
  recent(api: string): RequestRecord[] {
    const ring = this.#rings.get(api);
    if (!ring) return [];
    return [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)].reverse();
  }

  get(id: string): RequestRecord | undefined {
    for (const ring of this.#rings.values()) {
      const found = ring.items.find((record) => record.id === id);
      if (found) return found;
    }
    return undefined;
  }

  clear(): void {
    this.#rings.clear();
  }

  /**
   * Middleware keeping each request's exchange (its arrival on the mock clock, headers, the first
   * {@link BODY_PREVIEW_CHARS} bytes of the answer) until {@link record} gets its event.
   */
  capture(): RequestHandler {
    return (req, res, next) => {
      if (this.capacity === 0) return next();
      const exchange: Exchange = { at: this.clock.now(), requestHeaders: maskHeaders(req.headers), chunks: [], kept: 0, truncated: false };
      this.#exchanges.set(res, exchange);
      // Only the first BODY_PREVIEW_CHARS bytes of the answer are copied; the rest passes untouched.
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        if (exchange.kept >= BODY_PREVIEW_CHARS) {
          exchange.truncated = true;
          return;
        }
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
        const room = BODY_PREVIEW_CHARS - exchange.kept;
        exchange.chunks.push(buffer.subarray(0, room));
        exchange.kept += Math.min(buffer.length, room);
        if (buffer.length > room) exchange.truncated = true;
      };
      const { write, end } = res;
      res.write = function (this: typeof res, chunk: unknown, ...rest: unknown[]) {
        keep(chunk, rest[0]);
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof res.write;
      res.end = function (this: typeof res, chunk?: unknown, ...rest: unknown[]) {
        keep(chunk, rest[0]);
        return (end as (...args: unknown[]) => typeof res).call(this, chunk, ...rest);
      } as typeof res.end;
      next();
    };
  }

  /** Keeps an API's request from its event and the exchange {@link capture} kept for `res`. */
  record(event: AnsweredRequest, res: Response): void {
    const exchange = this.#exchanges.get(res);
    if (event.api === null || !exchange) return;
    const { operation } = res.req.mock ?? {};
    this.add({
      id: `rq_${event.id}`,
      api: event.api,
      method: event.method,
      path: event.path,
      status: event.status ?? null,
      ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
      durationMs: Math.round(event.durationMs * 100) / 100,
      at: exchange.at,
      key: event.key ?? null,
      ...(operation ? { operation: operation.operationId } : {}),
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      ...(event.ignoredPreferences === undefined ? {} : { ignoredPreferences: event.ignoredPreferences }),
      request: { headers: exchange.requestHeaders, ...bodyPreview(res.req.body) },
      answer: {
        headers: maskHeaders(res.getHeaders() as Record<string, string>),
        ...(exchange.chunks.length === 0 ? {} : { body: previewText(Buffer.concat(exchange.chunks), String(res.getHeader('content-type') ?? '')) }),
        ...(exchange.truncated ? { truncated: true } : {}),
      },
    });
  }
}

/** A parsed request body as text for people: JSON with secret-named fields masked, cut short. */
function bodyPreview(body: unknown): { body?: string } {
  if (body === undefined || body === null || (typeof body === 'object' && !Buffer.isBuffer(body) && Object.keys(body).length === 0)) return {};
  if (Buffer.isBuffer(body)) return { body: `(${body.length} bytes)` };
  return { body: cut(JSON.stringify(maskJson(body)) ?? '') };
}

function previewText(bytes: Buffer, contentType: string): string {
  if (!/json|text|xml|form/i.test(contentType)) return `(${contentType || 'binary'} body)`;
  // Possibly cut mid-document, so masked as text rather than parsed.
  return cut(maskJsonText(bytes.toString('utf8')));
}

/** `text` cut to {@link BODY_PREVIEW_CHARS}, marked with `…` where it was. */
export function cut(text: string): string {
  return text.length > BODY_PREVIEW_CHARS ? `${text.slice(0, BODY_PREVIEW_CHARS)}…` : text;
}
