import { performance } from 'node:perf_hooks';

import type { RequestHandler, Response } from 'express';

import { answerNotesOf } from './core/answer-notes.js';
import { injectedFault } from './core/faults.js';
import { ARRIVAL_SLOT } from './core/response-slots.js';
import type { RequestEvent } from './mock-events.js';

/** What {@link requestEvents} knows of a request between its arrival and its answer. */
interface Arrival {
  id: number;
  /** Wall clock (epoch ms). */
  at: number;
  /** The server's own clock (a `ManualClock` moves it), for the inspector. */
  clockAt: number;
  start: number;
  /** Read on arrival: a HEAD request goes through an API's pipeline as a GET. */
  method: string;
  emit: (event: RequestEvent, res: Response, clockAt: number) => void;
}

const ARRIVAL = ARRIVAL_SLOT;
type Tracked = Response & { [ARRIVAL]?: Arrival };

/**
 * One event per request: method, target, status and time taken, the API and masked key, with the
 * reason for an error answer the mock chose. A connection closed before the answer was sent is
 * reported as aborted by the client, or as the fault a `Prefer` header asked for.
 *
 * The cost per request is one small object and one listener shared by every response (no closure
 * per request, no `once` wrapper to remove): a response emits `close` once, after `finish` when it
 * was answered, which tells both cases apart. `now` is the server's clock, read on arrival.
 */
export function requestEvents(emit: Arrival['emit'], now: () => number = Date.now): RequestHandler {
  let sequence = 0;
  return (req, res, next) => {
    // Already tracked: reached directly first, then handed back to Express (core/direct-dispatch.ts).
    if ((res as Tracked)[ARRIVAL] !== undefined) return next();
    (res as Tracked)[ARRIVAL] = { id: ++sequence, at: Date.now(), clockAt: now(), start: performance.now(), method: req.method, emit };
    res.on('close', onResponseClose);
    next();
  };
}

function onResponseClose(this: Tracked): void {
  const arrival = this[ARRIVAL];
  if (!arrival) return;
  if (this.writableFinished) {
    arrival.emit(requestEvent(this, arrival, this.statusCode), this, arrival.clockAt);
    return;
  }
  const fault = injectedFault(this);
  arrival.emit(requestEvent(this, arrival, undefined, fault === undefined ? 'aborted by the client' : `dropped (${fault.source})`), this, arrival.clockAt);
}

function requestEvent(res: Response, arrival: Arrival, status: number | undefined, outcome?: RequestEvent['outcome']): RequestEvent {
  const notes = answerNotesOf(res);
  const reason = status !== undefined && status >= 400 ? notes?.reason : undefined;
  // Field by field, in the order the spreads gave (JSON of an event lists them so), without a
  // temporary object per optional field.
  const event: RequestEvent = { type: 'request', id: arrival.id, api: notes?.api ?? null, method: arrival.method, path: maskQuerySecrets(res.req.originalUrl), status } as RequestEvent;
  if (outcome !== undefined) event.outcome = outcome;
  event.durationMs = performance.now() - arrival.start;
  if (notes?.key !== undefined) event.key = notes.key;
  event.at = arrival.at;
  if (reason !== undefined) event.reason = reason;
  if (notes?.ignoredPreferences !== undefined) event.ignoredPreferences = notes.ignoredPreferences;
  return event;
}

// Presigned URLs carry their signature in the query; no API takes its key there, but a user may try.
const SECRET_PARAM = /^(?:[\w.-]*(?:signature|token|secret|key|credential)[\w.-]*)$/i;

/** `...?Expires=1&Signature=ab12` -> `...?Expires=1&Signature=…`. */
function maskQuerySecrets(target: string): string {
  const query = target.indexOf('?');
  if (query < 0) return target;
  const masked = target
    .slice(query + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals > 0 && SECRET_PARAM.test(safeDecode(pair.slice(0, equals))) ? `${pair.slice(0, equals)}=…` : pair;
    });
  return `${target.slice(0, query)}?${masked.join('&')}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
