import type { RequestHandler, Response } from 'express';

import { answerNotesOf } from './core/answer-notes.js';
import { injectedFault } from './core/faults.js';
import type { RequestEvent } from './mock-events.js';

/**
 * One event per request: method, target, status and time taken, the API and masked key, with the
 * reason for an error answer the mock chose. A connection closed before the answer was sent is
 * reported as aborted by the client, or as the fault a `Prefer` header asked for.
 */
export function requestEvents(emit: (event: RequestEvent, res: Response) => void): RequestHandler {
  let sequence = 0;
  return (req, res, next) => {
    const id = ++sequence;
    const at = Date.now();
    const start = process.hrtime.bigint();
    // Read now: a HEAD request goes through an API's pipeline as a GET.
    const method = req.method;
    const event = (status: number | undefined, outcome?: RequestEvent['outcome']): RequestEvent => {
      const notes = answerNotesOf(res);
      const reason = status !== undefined && status >= 400 ? notes?.reason : undefined;
      return {
        type: 'request',
        id,
        api: notes?.api ?? null,
        method,
        path: maskQuerySecrets(req.originalUrl),
        status,
        ...(outcome === undefined ? {} : { outcome }),
        durationMs: Number(process.hrtime.bigint() - start) / 1e6,
        ...(notes?.key === undefined ? {} : { key: notes.key }),
        at,
        ...(reason === undefined ? {} : { reason }),
        ...(notes?.ignoredPreferences === undefined ? {} : { ignoredPreferences: notes.ignoredPreferences }),
      };
    };
    res.once('finish', () => emit(event(res.statusCode), res));
    res.once('close', () => {
      if (res.writableFinished) return;
      const fault = injectedFault(res);
      emit(event(undefined, fault === undefined ? 'aborted by the client' : `dropped (${fault.source})`), res);
    });
    next();
  };
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
