import type { Express, NextFunction, Response } from 'express';

import { JSON_CHECK_NEXT_SLOT, JSON_CHECK_SLOT } from './response-slots.js';

/**
 * A check of a JSON body before it is sent (the spec's response schema: see
 * openapi-validator/lean-responses.ts), given the body and the text that will be sent. True: send
 * it. False: the check dealt with the answer itself (handed an error to `next`).
 */
export type JsonBodyCheck = (res: Response, body: unknown, text: string, next: NextFunction) => boolean;

type Checked = Response & { [JSON_CHECK_SLOT]?: JsonBodyCheck; [JSON_CHECK_NEXT_SLOT]?: NextFunction };

/** Marks the `res.json` that runs {@link armJsonBodyCheck}'s checks. */
const RUNS_CHECKS = Symbol('runsJsonBodyChecks');

/** Whether `res.json` is this module's, which runs a check armed with {@link armJsonBodyCheck}. */
export function runsJsonBodyChecks(res: Response): boolean {
  return (res.json as { [RUNS_CHECKS]?: true })[RUNS_CHECKS] === true;
}

/**
 * Has `res`'s next `res.json` run `check` first, with the same outcome as express-openapi-validator's
 * own hook (modded.express.mung.js), which wraps `res.json` in a closure on every response instead:
 * the check runs once, not after headers were sent nor for a status of 500 or more; a check that
 * fails hands its error to `next` and sends nothing; a `null` body answers 204.
 */
export function armJsonBodyCheck(res: Response, check: JsonBodyCheck, next: NextFunction): void {
  (res as Checked)[JSON_CHECK_SLOT] = check;
  (res as Checked)[JSON_CHECK_NEXT_SLOT] = next;
}

/**
 * Gives this app (only: `app.response` is the app's own prototype) a `res.json` that writes the
 * bytes and headers Express's would, with less work per response.
 *
 * Express 4's `res.json` goes through `res.send`, which parses and re-formats the Content-Type on
 * every call to add the charset and copies bodies over 1000 characters into Buffers: about a tenth
 * of the mock's CPU per request (`pnpm bench`). What it leaves out, none of which the mock uses:
 * ETag and 304 freshness (ETags are off app-wide), the `json replacer`, `json spaces` and
 * `json escape` settings, and the deprecated `res.json(status, body)` form.
 * The spec's response check runs in here ({@link armJsonBodyCheck}), on the text it sends.
 */
export function useLeanJsonResponses(app: Express): void {
  const json = function json(this: Checked, body?: unknown): Response {
    const check = this[JSON_CHECK_SLOT];
    if (check !== undefined) {
      const next = this[JSON_CHECK_NEXT_SLOT]!;
      this[JSON_CHECK_SLOT] = undefined;
      this[JSON_CHECK_NEXT_SLOT] = undefined;
      if (this.headersSent) return this;
      if (this.statusCode < 500) {
        const text = textOf(body);
        if (!check(this, body, text, next) || this.headersSent) return this;
        if (body === null) {
          this.status(204).end();
          return this;
        }
        return send(this, text);
      }
    }
    return send(this, textOf(body));
  } as Response['json'];
  (json as { [RUNS_CHECKS]?: true })[RUNS_CHECKS] = true;
  app.response.json = json;
}

function textOf(body: unknown): string {
  // JSON.stringify(undefined) is undefined: Express sends that as an empty body, and so does this.
  return (typeof body === 'object' && body !== null ? FIXED_TEXT.get(body) : undefined) ?? JSON.stringify(body) ?? '';
}

function send(res: Response, text: string): Response {
  const type = res.getHeader('Content-Type');
  if (type === undefined) res.setHeader('Content-Type', 'application/json; charset=utf-8');
  else if (typeof type === 'string' && !/;\s*charset=/i.test(type)) res.setHeader('Content-Type', `${type}; charset=utf-8`);

  if (res.statusCode === 204 || res.statusCode === 304) {
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.removeHeader('Transfer-Encoding');
    res.end();
    return res;
  }
  res.setHeader('Content-Length', Buffer.byteLength(text));
  // A string body lets Node write the head and body in one go.
  if (res.req.method === 'HEAD') res.end();
  else res.end(text, 'utf8');
  return res;
}

/** The JSON text of each body {@link fixedJsonBody} made. */
const FIXED_TEXT = new WeakMap<object, string>();

/**
 * A deep copy of `value`, frozen, with its JSON text written once: `res.json` of it sends that text
 * instead of serializing the same object again. For an answer that never changes (a model
 * catalog of several kilobytes, serialized on every request). Frozen, the copy cannot come to differ
 * from its text, and it is still what the response check reads.
 */
export function fixedJsonBody<T extends object>(value: T): T {
  const copy = deepFreeze(structuredClone(value));
  FIXED_TEXT.set(copy, JSON.stringify(copy));
  return copy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
