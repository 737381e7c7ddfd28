import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

import type { RequestHandler, Response } from 'express';

import type { Clock } from '../clock.js';
import { maskHeaders, maskJsonText } from '../secrets.js';

/** How much of a request or answer body the inspector keeps, in characters. */
export const BODY_PREVIEW_CHARS = 2000;

/** One request as the inspector lists it: secrets masked. */
export interface RequestSummary {
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
}

/** One request with its exchange: secrets masked, bodies cut to {@link BODY_PREVIEW_CHARS}. */
export interface RequestRecord extends RequestSummary {
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

/**
 * A kept request as it was: masking and formatting wait until someone looks (most kept requests
 * are pushed out of the ring unread), so the cost per request is a few references and a copy of at
 * most {@link BODY_PREVIEW_CHARS} bytes of a textual answer.
 */
export interface KeptRequest {
  readonly summary: RequestSummary;
  readonly requestHeaders: IncomingHttpHeaders;
  /** The parsed body, or its JSON already cut short when it was large. */
  readonly requestBody: { parsed: unknown } | { text: string };
  readonly answerHeaders: OutgoingHttpHeaders;
  /** The first bytes of a textual answer; undefined for none or a binary one. */
  readonly answerBody: Buffer | undefined;
  readonly answerBytes: number;
}

/** What {@link RequestLog.capture} keeps of an exchange until its event arrives. */
interface Exchange {
  at: number;
  /** Undefined until the first chunk: whether the answer is text worth keeping. */
  textual?: boolean;
  chunks: Buffer[];
  kept: number;
  bytes: number;
}

/** A parsed body up to this size (by Content-Length) is kept as is; a larger one as cut JSON text. */
const KEEP_PARSED_BYTES = 16 * 1024;

/**
 * The most recent requests per API, each API in a ring of `capacity`: memory stays bounded however
 * long the mock runs, and the newest are always there.
 */
export class RequestLog {
  readonly #rings = new Map<string, { items: KeptRequest[]; next: number }>();
  readonly #exchanges = new WeakMap<Response, Exchange>();

  constructor(
    private readonly clock: Clock,
    /** Requests kept per API. */
    readonly capacity: number,
    /** Hides secrets the log cannot tell by name (API keys quoted in a message): applied to every text shown. */
    private readonly scrub: (text: string) => string = (text) => text,
  ) {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 100_000) throw new RangeError(`inspector.requestsPerApi must be a whole number from 0 to 100000, got ${capacity}`);
  }

  /** An API's kept requests, newest first. */
  recent(api: string): KeptRequest[] {
    const ring = this.#rings.get(api);
    if (!ring) return [];
    return [...ring.items.slice(ring.next), ...ring.items.slice(0, ring.next)].reverse();
  }

  /** One kept request with its exchange, masked and cut for showing. */
  get(id: string): RequestRecord | undefined {
    for (const ring of this.#rings.values()) {
      const kept = ring.items.find((candidate) => candidate.summary.id === id);
      if (kept) return this.#shown(kept);
    }
    return undefined;
  }

  /** A summary as shown: what a message may quote (a key in a reason) scrubbed. */
  summaryOf(kept: KeptRequest): RequestSummary {
    const { summary } = kept;
    return summary.reason === undefined ? summary : { ...summary, reason: this.scrub(summary.reason) };
  }

  clear(): void {
    this.#rings.clear();
  }

  /**
   * Middleware keeping each request's exchange (its arrival on the mock clock, the first
   * {@link BODY_PREVIEW_CHARS} bytes of a textual answer) until {@link record} gets its event.
   */
  capture(): RequestHandler {
    return (_req, res, next) => {
      if (this.capacity === 0) return next();
      const exchange: Exchange = { at: this.clock.now(), chunks: [], kept: 0, bytes: 0 };
      this.#exchanges.set(res, exchange);
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        const text = typeof chunk === 'string';
        const length = text ? Buffer.byteLength(chunk, encoding as BufferEncoding | undefined) : (chunk as Buffer).length;
        exchange.bytes += length;
        exchange.textual ??= /json|text|xml|form/i.test(String(res.getHeader('content-type') ?? ''));
        const room = BODY_PREVIEW_CHARS - exchange.kept;
        if (!exchange.textual || room <= 0) return;
        // A copy of the first bytes only: a slice would hold the whole answer (an image) alive.
        const head = text ? Buffer.from(chunk.slice(0, room), encoding as BufferEncoding | undefined) : Buffer.from((chunk as Buffer).subarray(0, room));
        exchange.chunks.push(head.subarray(0, room));
        exchange.kept += Math.min(head.length, room);
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
    if (event.api === null || !exchange || this.capacity === 0) return;
    const req = res.req;
    const { operation } = req.mock ?? {};
    const large = Number(req.headers['content-length'] ?? 0) > KEEP_PARSED_BYTES;
    const kept: KeptRequest = {
      summary: {
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
      },
      requestHeaders: req.headers,
      requestBody: large ? { text: cut(JSON.stringify(req.body) ?? '') } : { parsed: req.body },
      answerHeaders: res.getHeaders(),
      answerBody: exchange.chunks.length === 0 ? undefined : Buffer.concat(exchange.chunks),
      answerBytes: exchange.bytes,
    };
    let ring = this.#rings.get(event.api);
    if (!ring) this.#rings.set(event.api, (ring = { items: [], next: 0 }));
    ring.items[ring.next] = kept;
    ring.next = (ring.next + 1) % this.capacity;
  }

  #shown(kept: KeptRequest): RequestRecord {
    const type = String(kept.answerHeaders['content-type'] ?? '');
    const requestBody = bodyText(kept.requestBody);
    let answerBody: string | undefined;
    if (kept.answerBody) answerBody = this.scrub(cut(maskJsonText(kept.answerBody.toString('utf8'))));
    else if (kept.answerBytes > 0) answerBody = `(${kept.answerBytes} bytes of ${type || 'binary data'})`;
    return {
      ...this.summaryOf(kept),
      request: { headers: maskHeaders(kept.requestHeaders), ...(requestBody === undefined ? {} : { body: this.scrub(cut(maskJsonText(requestBody))) }) },
      answer: {
        headers: maskHeaders(kept.answerHeaders as Record<string, string | string[] | number | undefined>),
        ...(answerBody === undefined ? {} : { body: answerBody }),
        ...(kept.answerBody && kept.answerBytes > kept.answerBody.length ? { truncated: true } : {}),
      },
    };
  }
}

/** A request body as JSON text (a large one was cut when kept); undefined for none. */
function bodyText(body: KeptRequest['requestBody']): string | undefined {
  if ('text' in body) return body.text;
  const { parsed } = body;
  if (parsed === undefined || parsed === null) return undefined;
  if (Buffer.isBuffer(parsed)) return `(${parsed.length} bytes)`;
  if (typeof parsed === 'object' && Object.keys(parsed).length === 0) return undefined;
  return JSON.stringify(parsed);
}

/** `text` cut to {@link BODY_PREVIEW_CHARS}, marked with `…` where it was. */
export function cut(text: string): string {
  if (text.length <= BODY_PREVIEW_CHARS) return text;
  // A copy, not a slice: V8 keeps a slice's whole parent alive, so 200 kept requests each cut from a
  // 32,000-character prompt held every prompt in full (22 MB over five APIs instead of 2).
  return `${Buffer.from(text.slice(0, BODY_PREVIEW_CHARS), 'utf16le').toString('utf16le')}…`;
}
