import type { IncomingMessage, ServerResponse } from 'node:http';

import type { NextFunction, Request, Response } from 'express';

// The common case of a request body read without body-parser's machinery: a body of known length
// (Content-Length, no Transfer-Encoding), sent as is (no Content-Encoding), within the limit. That
// is nearly every body a client sends, and body-parser spent more CPU on it than JSON.parse and the
// handler together: a Content-Type parsed three times over, a raw-body read with an async resource,
// an iconv-lite decoder. Every other request (chunked, compressed, over the limit, an odd charset)
// still goes through body-parser, and so does every error that can only arise there.
// test/body-reader.test.ts holds both paths side by side for valid and invalid bodies.

/** A client error as body-parser reports it (through http-errors): what `toProblem` reads. */
export interface BodyParserError extends Error {
  status: number;
  statusCode: number;
  expose: boolean;
  type?: string;
  [detail: string]: unknown;
}

/**
 * http-errors' `createError(status, cause, details)` as body-parser calls it for a client error: an
 * Error given keeps its own status, if it has one; `status`, `statusCode`, `expose` and every
 * detail but those two are set on it.
 */
export function bodyParserError(status: number, cause: string | Error, details: Record<string, unknown> = {}): BodyParserError {
  const error = (typeof cause === 'string' ? new Error(cause) : cause) as BodyParserError;
  const own = (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  const code = typeof own === 'number' && typeof cause !== 'string' ? own : status;
  error.expose = code < 500;
  error.status = error.statusCode = code;
  for (const [key, value] of Object.entries(details)) if (key !== 'status' && key !== 'statusCode') error[key] = value;
  return error;
}

/**
 * The length of a body this reader takes, or undefined when body-parser must read it: no
 * Content-Length or a Transfer-Encoding (chunked), a Content-Encoding other than identity (it
 * inflates), over `limit` (its 413), or a stream already read from or decoding.
 */
export function knownBodyLength(req: Request, limit: number): number | undefined {
  const { headers } = req;
  if (headers['transfer-encoding'] !== undefined) return undefined;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  const header = headers['content-length'];
  if (header === undefined || !/^\d{1,15}$/.test(header)) return undefined;
  const length = Number(header);
  if (length > limit || !req.readable || req.readableEncoding !== null) return undefined;
  return length;
}

/**
 * Reads a body of `length` bytes as raw-body does for body-parser, calling `done` once with the
 * bytes or with the error body-parser would pass on: `request aborted` (the client went away),
 * `request size did not match content length`, or what `inspect` returned for a chunk (a string
 * certainly over its maxLength), reported once the rest of the body has been read off. A request
 * closed without an `aborted` event is never answered, as with raw-body.
 */
export function readKnownLengthBody(
  req: Request,
  length: number,
  inspect: ((chunk: Buffer) => Error | undefined) | undefined,
  done: (error: BodyParserError | undefined, body?: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const cleanup = () => {
    req.off('aborted', onAborted);
    req.off('close', cleanup);
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
  };
  const fail = (error: BodyParserError) => {
    cleanup();
    done(error);
  };
  /** body-parser's answer to an error while reading: the rest of the body read off first. */
  const failAfterReadingOff = (error: Error) => {
    cleanup();
    const failure = bodyParserError(400, bodyParserError(400, error));
    if (req.complete && !req.readable) return done(failure);
    let called = false;
    const finished = () => {
      if (called) return;
      called = true;
      req.off('end', finished);
      req.off('close', finished);
      done(failure);
    };
    req.on('end', finished);
    req.on('close', finished);
    req.resume();
  };
  function onAborted() {
    fail(bodyParserError(400, 'request aborted', { code: 'ECONNABORTED', expected: length, length, received, type: 'request.aborted' }));
  }
  function onData(chunk: Buffer) {
    const refused = inspect?.(chunk);
    if (refused !== undefined) return failAfterReadingOff(refused);
    received += chunk.length;
    chunks.push(chunk);
  }
  function onEnd() {
    if (received !== length) {
      return failAfterReadingOff(bodyParserError(400, 'request size did not match content length', { expected: length, length, received, type: 'request.size.invalid' }));
    }
    cleanup();
    done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received));
  }
  function onError(error: Error) {
    failAfterReadingOff(error);
  }
  req.on('aborted', onAborted);
  req.on('close', cleanup);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

/** iconv-lite's UTF-8 decoding, as body-parser does it: a leading byte order mark is dropped. */
export function decodeUtf8(body: Buffer): string {
  const text = body.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** How {@link readPlainBody} treats a body: body-parser's verify hook and its parse of the text. */
export interface PlainBodyParse {
  /** From {@link knownBodyLength}. */
  length: number;
  /** Called with each chunk as it arrives; an error returned refuses the body (see readKnownLengthBody). */
  inspect: ((chunk: Buffer) => Error | undefined) | undefined;
  verify: (req: IncomingMessage, res: ServerResponse, body: Buffer, encoding: string) => void;
  /** Of the UTF-8 text, never empty (an empty body is `{}`, as body-parser makes it). */
  parse: (text: string) => unknown;
}

/**
 * What body-parser's JSON and form parsers do with a body this reader takes: mark the request as
 * parsed, read it, `verify` the bytes (an error is a 403 `entity.verify.failed` unless it names its
 * type), decode them and `parse` the text (an error is a 400 `entity.parse.failed` unless it says
 * otherwise) into `req.body`, and go on.
 */
export function readPlainBody(req: Request, res: Response, next: NextFunction, { length, inspect, verify, parse }: PlainBodyParse): void {
  req.body = req.body || {};
  (req as Request & { _body?: boolean })._body = true;
  readKnownLengthBody(req, length, inspect, (error, body) => {
    if (error !== undefined) return next(error);
    try {
      verify(req, res, body!, 'utf-8');
    } catch (thrown) {
      return next(bodyParserError(403, thrown as Error, { body, type: (thrown as { type?: unknown }).type || 'entity.verify.failed' }));
    }
    let text: string | Buffer = body!;
    try {
      text = decodeUtf8(body!);
      req.body = text.length === 0 ? {} : parse(text);
    } catch (thrown) {
      return next(bodyParserError(400, thrown as Error, { body: text, type: (thrown as { type?: unknown }).type || 'entity.parse.failed' }));
    }
    next();
  });
}
