import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

import type { Express, Response } from 'express';

import type { Clock } from '../clock.js';
import { ANSWER_SLOT } from '../response-slots.js';
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
 * A kept request as it was: its summary, masking and formatting wait until someone looks (most kept
 * requests are pushed out of the ring unread), so the cost per request is a few references: the
 * answer's headers as Node holds them, and a textual answer's text as it was sent (or a copy of
 * its first {@link BODY_PREVIEW_CHARS} bytes, when it was long or came in pieces).
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

/**
 * What the app's `res.write`/`res.end` keep of an answer (see {@link RequestLog.captureAnswers}): for
 * the usual answer, one string sent whole (a JSON body), that string itself; otherwise the parts.
 */
type Answer = string | AnswerParts;
interface AnswerParts {
  /** Whether the answer is text worth keeping, from its Content-Type at the first chunk. */
  textual: boolean;
  chunks: Buffer[];
  kept: number;
  bytes: number;
}

const ANSWER = ANSWER_SLOT;
type Answering = Response & { [ANSWER]?: Answer };

/** A parsed body up to this size (by Content-Length) is kept as is; a larger one as cut JSON text. */
const KEEP_PARSED_BYTES = 16 * 1024;

/** A kept request whose summary, answer headers and answer body are built the first time they are read. */
class Kept implements KeptRequest {
  #summary: RequestSummary | undefined;
  #answerHeaders: OutgoingHttpHeaders | undefined;

  constructor(
    private readonly event: AnsweredRequest & { api: string },
    private readonly at: number,
    private readonly operation: string | undefined,
    readonly requestHeaders: IncomingHttpHeaders,
    readonly requestBody: KeptRequest['requestBody'],
    /** Node's own record of the answer's headers (see {@link nodeHeadersOf}); null for none set. */
    private readonly nodeHeaders: NodeHeaders | null,
    /** A copy of them where Node's record could not be read. */
    private readonly copiedHeaders: OutgoingHttpHeaders | undefined,
    private readonly answer: Answer | undefined,
  ) {}

  get answerHeaders(): OutgoingHttpHeaders {
    return (this.#answerHeaders ??= this.copiedHeaders ?? (this.nodeHeaders === null ? {} : fromNodeHeaders(this.nodeHeaders)));
  }

  get answerBody(): Buffer | undefined {
    const { answer } = this;
    if (answer === undefined) return undefined;
    if (typeof answer === 'string') return Buffer.from(answer, 'utf8');
    if (answer.chunks.length === 0) return undefined;
    return answer.chunks.length === 1 ? answer.chunks[0] : Buffer.concat(answer.chunks);
  }

  get answerBytes(): number {
    const { answer } = this;
    if (answer === undefined) return 0;
    return typeof answer === 'string' ? Buffer.byteLength(answer, 'utf8') : answer.bytes;
  }

  get summary(): RequestSummary {
    if (this.#summary) return this.#summary;
    const { event } = this;
    return (this.#summary = {
      id: `rq_${event.id}`,
      api: event.api,
      method: event.method,
      path: event.path,
      status: event.status ?? null,
      ...(event.outcome === undefined ? {} : { outcome: event.outcome }),
      durationMs: Math.round(event.durationMs * 100) / 100,
      at: this.at,
      key: event.key ?? null,
      ...(this.operation ? { operation: this.operation } : {}),
      ...(event.reason === undefined ? {} : { reason: event.reason }),
      ...(event.ignoredPreferences === undefined ? {} : { ignoredPreferences: event.ignoredPreferences }),
    });
  }

  /** Its id without building the summary. */
  get id(): string {
    return `rq_${this.event.id}`;
  }
}

/**
 * The most recent requests per API, each API in a ring of `capacity`: memory stays bounded however
 * long the mock runs, and the newest are always there.
 */
export class RequestLog {
  readonly #rings = new Map<string, { items: Kept[]; next: number }>();

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
      const kept = ring.items.find((candidate) => candidate.id === id);
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
   * Keeps the first {@link BODY_PREVIEW_CHARS} bytes of each textual answer of `app` (and counts
   * every answer's bytes) until {@link record} gets its event. Installed once, on the app's own
   * response prototype: no closure or wrapper per request, and nothing at all with a capacity of 0.
   */
  captureAnswers(app: Express): void {
    if (this.capacity === 0) return;
    const proto = app.response as Answering;
    // Whatever the prototype chain answered with before (Node's, or another patch's).
    const { write, end } = proto;
    proto.write = function (this: Answering, chunk: unknown, ...rest: unknown[]) {
      keep(this, chunk, rest[0]);
      return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof proto.write;
    proto.end = function (this: Answering, chunk?: unknown, ...rest: unknown[]) {
      keep(this, chunk, rest[0]);
      return (end as (...args: unknown[]) => Answering).call(this, chunk, ...rest);
    } as typeof proto.end;
  }

  /** Keeps an API's request from its event and what {@link captureAnswers} kept of its answer. */
  record(event: AnsweredRequest, res: Response, at: number): void {
    if (event.api === null || this.capacity === 0) return;
    const answer = (res as Answering)[ANSWER];
    const req = res.req;
    const large = Number(req.headers['content-length'] ?? 0) > KEEP_PARSED_BYTES;
    const nodeHeaders = nodeHeadersOf(res);
    const kept = new Kept(
      event as AnsweredRequest & { api: string },
      at,
      req.mock?.operation?.operationId,
      req.headers,
      large ? { text: cut(JSON.stringify(req.body) ?? '') } : { parsed: req.body },
      nodeHeaders ?? null,
      nodeHeaders === undefined ? res.getHeaders() : undefined,
      answer,
    );
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

const TEXTUAL = /json|text|xml|form/i;
/** The last Content-Type seen and whether it is textual: answers of one API mostly share one. */
let lastType: string | undefined;
let lastTextual = false;

function isTextual(type: string): boolean {
  if (type !== lastType) {
    lastTextual = TEXTUAL.test(type);
    lastType = type;
  }
  return lastTextual;
}

/**
 * Counts a chunk of `res`'s answer and keeps its head when the answer is text: a string sent whole
 * as the only chunk (a JSON body: strings never change, so no copy), else a copy of the first
 * bytes.
 */
function keep(res: Answering, chunk: unknown, encoding: unknown): void {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
  let answer = res[ANSWER];
  if (answer === undefined) {
    const textual = isTextual(String(res.getHeader('content-type') ?? ''));
    // At most 3 bytes a character in UTF-8: a string this short fits the preview whatever it holds.
    if (textual && typeof chunk === 'string' && (encoding === undefined || encoding === 'utf8') && (chunk.length * 3 <= BODY_PREVIEW_CHARS || Buffer.byteLength(chunk, 'utf8') <= BODY_PREVIEW_CHARS)) {
      res[ANSWER] = chunk;
      return;
    }
    res[ANSWER] = answer = { textual, chunks: [], kept: 0, bytes: 0 };
  } else if (typeof answer === 'string') {
    // A second chunk: the first becomes a part like any other.
    const first = Buffer.from(answer, 'utf8');
    res[ANSWER] = answer = { textual: true, chunks: [first], kept: first.length, bytes: first.length };
  }
  keepPart(answer, chunk, encoding);
}

/** Counts a chunk and keeps a copy of its first bytes while the preview has room. */
function keepPart(answer: AnswerParts, chunk: unknown, encoding: unknown): void {
  const room = BODY_PREVIEW_CHARS - answer.kept;
  if (typeof chunk === 'string') {
    const enc = encoding as BufferEncoding | undefined;
    // A short text answer (a JSON body) is copied whole, which also tells its length.
    const whole = answer.textual && room > 0 && chunk.length <= room ? Buffer.from(chunk, enc) : undefined;
    if (whole !== undefined && whole.length <= room) {
      answer.bytes += whole.length;
      answer.chunks.push(whole);
      answer.kept += whole.length;
      return;
    }
    const length = whole?.length ?? Buffer.byteLength(chunk, enc);
    answer.bytes += length;
    if (!answer.textual || room <= 0) return;
    // A copy of the first bytes only (or all of them: base64 or hex text is longer than its bytes).
    const head = length <= room ? Buffer.from(chunk, enc) : Buffer.from(chunk.slice(0, room), enc).subarray(0, room);
    answer.chunks.push(head);
    answer.kept += head.length;
    return;
  }
  answer.bytes += (chunk as Buffer).length;
  if (!answer.textual || room <= 0) return;
  // A copy of the first bytes only: a slice would hold the whole answer (an image) alive.
  const head = Buffer.from((chunk as Buffer).subarray(0, room));
  answer.chunks.push(head);
  answer.kept += head.length;
}

/** Node's record of a response's headers: lower-case name -> [name as set, value]. */
type NodeHeaders = Record<string, [string, OutgoingHttpHeaders[string]]>;

let outHeaders: symbol | null | undefined;

/**
 * Node's own record of the headers `res` was answered with (its `kOutHeaders`; null when none was
 * set), kept instead of `res.getHeaders()`'s copy per request: nothing changes it once the answer is
 * sent (setting a header then throws). Undefined, for a copy, before the answer was sent or where
 * the record cannot be found (another Node).
 */
function nodeHeadersOf(res: Response): NodeHeaders | null | undefined {
  if (outHeaders === undefined) outHeaders = Object.getOwnPropertySymbols(res).find((symbol) => symbol.description === 'kOutHeaders') ?? null;
  if (outHeaders === null || !res.headersSent) return undefined;
  const raw = (res as unknown as Record<symbol, unknown>)[outHeaders];
  return raw === null || (typeof raw === 'object' && raw !== null) ? (raw as NodeHeaders | null) : undefined;
}

/** What `res.getHeaders()` makes of Node's record: a null-prototype object of name -> value. */
function fromNodeHeaders(raw: NodeHeaders): OutgoingHttpHeaders {
  const headers = Object.create(null) as OutgoingHttpHeaders;
  for (const name of Object.keys(raw)) headers[name] = raw[name]![1];
  return headers;
}
