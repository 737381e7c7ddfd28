import type { IncomingMessage, ServerResponse } from 'node:http';

import bytes from 'bytes';
import express from 'express';
import qs from 'qs';
import type { Request, RequestHandler } from 'express';

import { compose } from '../compose.js';
import { coerceFormFields, multipartParser } from '../form-body.js';
import { DEFAULT_JSON_LIMITS, OverlongStringScanner, jsonComplexityError } from '../json-limits.js';
import type { Operation } from '../operations.js';
import { ProblemError, fieldMessages, problem } from '../problems.js';
import { bodyParserError, knownBodyLength, readPlainBody } from './body-reader.js';
import type { OpenApiDocument } from '../spec-document.js';
import { deref } from '../spec-document.js';

// Body: parsed only for operations that take one, in exactly the media types the spec declares,
// form values typed by the spec, hostile JSON refused before it is parsed.

/** The body stage: the spec's parsers, then form values typed, for operations that take a body. */
export function bodyStage(doc: OpenApiDocument, limit: string): RequestHandler {
  return onlyWithBody([...bodyParsers(doc, limit), coerceForms(doc), jsonBodiesAreObjects(doc)]);
}

/** Runs the parsers only for operations that take a body; GETs skip them entirely. */
export function onlyWithBody(parsers: RequestHandler[]): RequestHandler {
  const parse = compose(parsers);
  return (req, res, next) => (req.mock!.operation!.hasRequestBody ? parse(req, res, next) : next());
}

/** Parsers for exactly the request media types the spec declares, so nothing else is accepted. */
export function bodyParsers(doc: OpenApiDocument, limit: string): RequestHandler[] {
  const mediaTypes = new Set<string>();
  collectRequestMediaTypes(doc, false, mediaTypes);
  const parsers: RequestHandler[] = [];
  if ([...mediaTypes].some(isJsonType)) parsers.push(jsonParser(doc, limit));
  if (mediaTypes.has('application/x-www-form-urlencoded')) parsers.push(formParser(doc, limit));
  if (mediaTypes.has('multipart/form-data')) parsers.push(multipartParser({ bodyBytes: bodyLimitBytes(limit), fieldBytes: MAX_FORM_FIELD_BYTES }));
  // Every other declared type (an image upload's `image/png`...) arrives as its raw bytes, a Buffer.
  const raw = [...mediaTypes].filter((type) => !isJsonType(type) && !FORM_TYPES.includes(type));
  if (raw.length > 0) parsers.push(express.raw({ limit, type: raw }));
  return parsers;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * The JSON parser: body-parser's `express.json`, with the common body (see body-reader.ts) read
 * and parsed here the same way. Any JSON value parses, so `null` or `1` is told it must be an
 * object (jsonBodiesAreObjects) rather than that it is not JSON.
 */
export function jsonParser(doc: OpenApiDocument, limit: string): RequestHandler {
  const verify = verifyJson(doc);
  const viaBodyParser = bodyParserJson(doc, limit);
  const limitBytes = bodyLimitBytes(limit);
  return (req, res, next) => {
    if ((req as ParsedRequest)._body) return next();
    const type = req.headers['content-type'];
    const mediaType = type === undefined ? undefined : type.split(';', 1)[0]!.trim().toLowerCase();
    // A form or multipart body is never JSON: body-parser would only default req.body and move on.
    if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data') {
      req.body = req.body || {};
      return next();
    }
    const length = type !== undefined && PLAIN_JSON_TYPES.has(type.toLowerCase()) ? knownBodyLength(req, limitBytes) : undefined;
    if (length === undefined) return viaBodyParser(req, res, next);
    const inspect = jsonStringWatch(maxLengthsOf(doc, req.mock?.operation, 'application/json'));
    readPlainBody(req, res, next, { length, inspect, verify, parse: (text) => JSON.parse(text) as unknown });
  };
}

/**
 * body-parser's `express.json` as the mock sets it up, a string certainly over its maxLength
 * refused while the body arrives: what {@link jsonParser} leaves the uncommon bodies to, and the
 * reference test/body-reader.test.ts holds it to.
 */
export function bodyParserJson(doc: OpenApiDocument, limit: string): RequestHandler {
  return compose([refuseOverlongWhileReading(doc), express.json({ limit, type: JSON_TYPES, strict: false, verify: verifyJson(doc) })]);
}

/**
 * The form parser: body-parser's `express.urlencoded` (extended, through qs), with the common body
 * (see body-reader.ts) read here and handed to the same qs parse with the same options.
 */
export function formParser(doc: OpenApiDocument, limit: string): RequestHandler {
  const verify = verifyForm(doc);
  const viaBodyParser = bodyParserForm(doc, limit);
  const limitBytes = bodyLimitBytes(limit);
  return (req, res, next) => {
    if ((req as ParsedRequest)._body) return next();
    const type = req.headers['content-type'];
    const length = type !== undefined && PLAIN_FORM_TYPES.has(type.toLowerCase()) ? knownBodyLength(req, limitBytes) : undefined;
    if (length === undefined) return viaBodyParser(req, res, next);
    const watch = formFieldWatch(maxLengthsOf(doc, req.mock?.operation, 'application/x-www-form-urlencoded'));
    readPlainBody(req, res, next, { length, inspect: watch, verify, parse: parseExtendedForm });
  };
}

/**
 * body-parser's `express.urlencoded` as the mock sets it up, a field over its limit refused while
 * the body arrives: what {@link formParser} leaves the uncommon bodies to, and the reference
 * test/body-reader.test.ts holds it to.
 */
export function bodyParserForm(doc: OpenApiDocument, limit: string): RequestHandler {
  return compose([refuseOverlongFormWhileReading(doc), express.urlencoded({ limit, extended: true, verify: verifyForm(doc) })]);
}

/** Form Content-Types read without body-parser (lowercased): no charset, or UTF-8. */
const PLAIN_FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'application/x-www-form-urlencoded;charset=utf-8']);
/** body-parser's limits for an extended form: parameters, and how deep brackets nest. */
const FORM_PARAMETER_LIMIT = 1000;
const FORM_DEPTH = 32;

/** body-parser's extended form parse (types/urlencoded.js), errors included: qs with its options. */
function parseExtendedForm(text: string): unknown {
  let count = 0;
  let index = -1;
  do {
    if (++count > FORM_PARAMETER_LIMIT) throw bodyParserError(413, 'too many parameters', { type: 'parameters.too.many' });
    index = text.indexOf('&', index + 1);
  } while (index !== -1);
  try {
    return qs.parse(text, { allowPrototypes: true, arrayLimit: Math.max(100, count), depth: FORM_DEPTH, strictDepth: true, parameterLimit: FORM_PARAMETER_LIMIT });
  } catch (error) {
    if (error instanceof RangeError) throw bodyParserError(400, 'The input exceeded the depth', { type: 'querystring.parse.rangeError' });
    throw error;
  }
}

/** Refuses JSON sent as a form, and keeps the names of the fields sent for restoreDroppedFormFields. */
function verifyForm(doc: OpenApiDocument) {
  return (req: IncomingMessage, _res: ServerResponse, body: Buffer, _encoding: string): void => {
    // `curl -d '{"model_id": ...}'` sends JSON labelled as a form: read as a form it is one
    // field named after the whole text, and every required field then looks missing.
    if (looksLikeJson(body)) {
      const acceptsJson = Object.keys((req as Request).mock?.operation?.requestSchemas ?? {}).some(isJsonType);
      const message = `The body is JSON but its Content-Type is application/x-www-form-urlencoded (what curl -d sends); ${
        acceptsJson ? 'send Content-Type: application/json' : 'send the fields as a form (name=value&...)'
      }`;
      throw problem('validation', message, { fields: fieldMessages([['Content-Type', message]]) });
    }
    const maxLengths = maxLengthsOf(doc, (req as Request).mock?.operation, 'application/x-www-form-urlencoded');
    (req as FormRequest)[FORM_ROOTS] = formRoots(body, maxLengths);
  };
}

/** Content-Types read without body-parser (lowercased): JSON in UTF-8, the charset said or not. */
const PLAIN_JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8', 'application/json;charset=utf-8']);

/** body-parser's marks on a request: `_body` once a parser has taken its body. */
type ParsedRequest = Request & { _body?: boolean };

/** Refused before JSON.parse: parsing and validating a hostile shape blocks every other request. */
function verifyJson(doc: OpenApiDocument) {
  return (req: IncomingMessage, _res: ServerResponse, body: Buffer, _encoding: string): void => {
    const tooComplex = jsonComplexityError(body, DEFAULT_JSON_LIMITS);
    if (tooComplex !== undefined) throw problem('validation', tooComplex, { fields: { body: [tooComplex] } });
    // A compressed body is only seen here, inflated; one sent as is was watched as it arrived.
    if ((req.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity') {
      const overlong = new OverlongStringScanner(maxLengthsOf(doc, (req as Request).mock?.operation, 'application/json')).feed(body);
      if (overlong !== undefined) throw overlongField(overlong.field, overlong.maxLength);
    }
  };
}
const FORM_ROOTS = Symbol('form field names as sent');
type FormRequest = Request & { [FORM_ROOTS]?: Map<string, () => string> };

/**
 * Largest value of one form field that is not a file (URL-encoded, or a multipart field), in bytes:
 * no field of these APIs comes near it, and decoding and validating a 24 MB one held every other
 * request up for most of a second.
 */
const MAX_FORM_FIELD_BYTES = 1024 * 1024;

/** Most bytes one character takes percent-encoded: four UTF-8 bytes, each `%XX`. */
const MAX_FORM_BYTES_PER_CHARACTER = 12;

const maxLengthCache = new WeakMap<Operation, Map<string, ReadonlyMap<string, number>>>();

/** `maxLength` of each top-level string field of the operation's body in `mediaType`, read from the spec once. */
function maxLengthsOf(doc: OpenApiDocument, operation: Operation | undefined, mediaType: string): ReadonlyMap<string, number> {
  if (operation === undefined) return new Map();
  let byType = maxLengthCache.get(operation);
  if (byType === undefined) maxLengthCache.set(operation, (byType = new Map()));
  let found = byType.get(mediaType);
  if (found === undefined) {
    type Schema = { properties?: Record<string, unknown>; maxLength?: number; allOf?: unknown[] };
    const limits = new Map<string, number>();
    const visit = (node: unknown) => {
      const schema = node === undefined ? undefined : deref<Schema>(doc, node);
      for (const [name, property] of Object.entries(schema?.properties ?? {})) {
        const maxLength = deref<Schema>(doc, property).maxLength;
        if (typeof maxLength === 'number' && !limits.has(name)) limits.set(name, maxLength);
      }
      for (const part of schema?.allOf ?? []) visit(part);
    };
    visit(operation.requestSchemas[mediaType]);
    byType.set(mediaType, (found = limits));
  }
  return found;
}

/**
 * Watches a JSON body as it arrives and fails the read as soon as a top-level string is certainly
 * over its maxLength: a 24 MB prompt is refused after its first few hundred kilobytes, and the rest
 * is read off and dropped rather than buffered, copied and parsed while other requests wait.
 */
function refuseOverlongWhileReading(doc: OpenApiDocument): RequestHandler {
  return (req, _res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    // A compressed body is scanned once inflated, by the parser's verify hook.
    if (!isJsonType(type) || encoding !== 'identity') return next();
    const watch = jsonStringWatch(maxLengthsOf(doc, req.mock?.operation, 'application/json'));
    if (watch === undefined) return next();
    const onData = (chunk: Buffer) => {
      const error = watch(chunk);
      if (error === undefined) return;
      req.off('data', onData);
      // body-parser stops reading on a stream error, reads off the rest and passes the error on.
      // Once it has stopped on its own (a body over the size limit), nobody listens: nothing to say.
      if (req.listenerCount('error') > 0) req.emit('error', error);
    };
    req.on('data', onData);
    req.once('end', () => req.off('data', onData));
    next();
  };
}

/**
 * The form counterpart of {@link refuseOverlongWhileReading}: counts each field's value bytes as the
 * body arrives and fails the read as soon as one is over {@link MAX_FORM_FIELD_BYTES} or certainly
 * over its maxLength, so a 24 MB prompt is never gathered into one buffer. The parser's verify hook
 * ({@link formRoots}) applies the same rules to a compressed body, seen only once inflated.
 */
function refuseOverlongFormWhileReading(doc: OpenApiDocument): RequestHandler {
  return (req, _res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (type !== 'application/x-www-form-urlencoded' || encoding !== 'identity') return next();
    const watch = formFieldWatch(maxLengthsOf(doc, req.mock?.operation, 'application/x-www-form-urlencoded'));
    const onData = (chunk: Buffer) => {
      const error = watch(chunk);
      if (error === undefined) return;
      req.off('data', onData);
      if (req.listenerCount('error') > 0) req.emit('error', error);
    };
    req.on('data', onData);
    req.once('end', () => req.off('data', onData));
    next();
  };
}

/**
 * Fed a JSON body chunk by chunk, the refusal of the first string certainly over its field's
 * maxLength (then nothing more is looked at); undefined when the operation sets no maxLength.
 */
function jsonStringWatch(maxLengths: ReadonlyMap<string, number>): ((chunk: Buffer) => ProblemError | undefined) | undefined {
  if (maxLengths.size === 0) return undefined;
  const scanner = new OverlongStringScanner(maxLengths);
  return (chunk) => {
    const found = scanner.done ? undefined : scanner.feed(chunk);
    return found && overlongField(found.field, found.maxLength);
  };
}

/**
 * Fed a form body chunk by chunk, the refusal of the first field whose value is over
 * {@link MAX_FORM_FIELD_BYTES} or certainly over its maxLength (then nothing more is looked at).
 */
function formFieldWatch(maxLengths: ReadonlyMap<string, number>): (chunk: Buffer) => ProblemError | undefined {
  const key: number[] = [];
  let inValue = false;
  let valueBytes = 0;
  let limit = MAX_FORM_FIELD_BYTES;
  let root = '';
  let refused = false;
  const refusal = () => {
    refused = true;
    const maxLength = maxLengths.get(root);
    return maxLength !== undefined && limit === MAX_FORM_BYTES_PER_CHARACTER * maxLength
      ? overlongField(root, maxLength)
      : problem('validation', `Form field ${root} is too large: over ${MAX_FORM_FIELD_BYTES} bytes`, {
          fields: fieldMessages([[root, `is too large: over ${MAX_FORM_FIELD_BYTES} bytes`]]),
          tooLarge: true,
        });
  };
  return (chunk) => {
    if (refused) return undefined;
    let at = 0;
    while (at < chunk.length) {
      if (inValue) {
        const ampersand = chunk.indexOf(0x26, at);
        const end = ampersand < 0 ? chunk.length : ampersand;
        valueBytes += end - at;
        if (valueBytes > limit) return refusal();
        at = end;
        if (ampersand >= 0) {
          inValue = false;
          key.length = 0;
          at++;
        }
      } else {
        const byte = chunk[at++]!;
        if (byte === 0x3d) {
          root = formDecode(Buffer.from(key).toString('latin1')).split('[')[0]!;
          const maxLength = maxLengths.get(root);
          limit = Math.min(MAX_FORM_FIELD_BYTES, maxLength === undefined ? Infinity : MAX_FORM_BYTES_PER_CHARACTER * maxLength);
          inValue = true;
          valueBytes = 0;
        } else if (byte === 0x26) key.length = 0;
        else if (key.length < 256) key.push(byte);
      }
    }
    return undefined;
  };
}

/** In the validator's own words, so each vendor words it as it words a schema's maxLength. */
function overlongField(field: string, maxLength: number): ProblemError {
  const message = `must NOT have more than ${maxLength} characters`;
  return new ProblemError({
    kind: 'validation',
    message: `${field}: ${message}`,
    fields: fieldMessages([[field, message]]),
    issues: [{ location: 'body', path: [field], field, keyword: 'maxLength', message }],
  });
}

/**
 * Each field's name before any `[` (from the first 256 bytes of its key), with its first value, as
 * a form body sends them. Found with byte searches, so a 24 MB value is never decoded here: one over
 * {@link MAX_FORM_FIELD_BYTES}, or certainly over its `maxLength` (more than
 * {@link MAX_FORM_BYTES_PER_CHARACTER} bytes a character), is refused at once.
 */
function formRoots(body: Buffer, maxLengths: ReadonlyMap<string, number>): Map<string, () => string> {
  const roots = new Map<string, () => string>();
  for (let start = 0; start < body.length; ) {
    const ampersand = body.indexOf(0x26, start);
    const end = ampersand < 0 ? body.length : ampersand;
    const equals = body.indexOf(0x3d, start);
    const keyEnd = equals >= 0 && equals < end ? equals : end;
    const root = formDecode(body.toString('latin1', start, Math.min(keyEnd, start + 256))).split('[')[0]!;
    const valueStart = Math.min(keyEnd + 1, end);
    const maxLength = maxLengths.get(root);
    if (maxLength !== undefined && end - valueStart > MAX_FORM_BYTES_PER_CHARACTER * maxLength) throw overlongField(root, maxLength);
    if (end - valueStart > MAX_FORM_FIELD_BYTES) {
      const message = `is too large: over ${MAX_FORM_FIELD_BYTES} bytes`;
      throw problem('validation', `Form field ${root} ${message}`, { fields: fieldMessages([[root, message]]), tooLarge: true });
    }
    if (!roots.has(root)) roots.set(root, () => formDecode(body.toString('latin1', valueStart, end)));
    start = end + 1;
  }
  return roots;
}

/** `a+b%20c` -> `a b c`; a malformed escape is kept as sent. */
function formDecode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * A JSON body whose schema is an object but which is another JSON value (`null`, `1`, `"x"`,
 * `true`, `[]`) is refused as one issue at the body's root, which each vendor words its own way.
 */
export function jsonBodiesAreObjects(doc: OpenApiDocument): RequestHandler {
  return (req, _res, next) => {
    const body: unknown = req.body;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return next();
    const schemas = req.mock!.operation!.requestSchemas;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!isJsonType(type)) return next();
    const schema = schemas[type] === undefined ? undefined : deref<{ type?: unknown; properties?: unknown }>(doc, schemas[type]);
    if (!(schema?.type === 'object' || schema?.properties !== undefined)) return next();
    const message = 'must be a JSON object';
    next(
      new ProblemError({
        kind: 'validation',
        message: `body: ${message}`,
        fields: fieldMessages([['body', message]]),
        issues: [{ location: 'body', path: [], field: 'body', keyword: 'type', message, value: body }],
      }),
    );
  };
}

/**
 * The form fields the parser dropped put back as own properties, so the spec names them like any
 * other unknown field: qs drops `__proto__` (and `__proto__[a]`) to protect the prototype.
 */
function restoreDroppedFormFields(req: Request): void {
  const roots = (req as FormRequest)[FORM_ROOTS];
  const body = req.body as Record<string, unknown> | undefined;
  if (!roots || typeof body !== 'object' || body === null) return;
  for (const [root, value] of roots) {
    if (root !== '' && !Object.prototype.hasOwnProperty.call(body, root)) {
      Object.defineProperty(body, root, { value: value(), enumerable: true, writable: true, configurable: true });
    }
  }
}

/**
 * A body shaped like a JSON object or array. Not parsed: a form body is never that shape, and
 * parsing an arbitrary one here would skip the limits JSON bodies get (json-limits.ts).
 */
function looksLikeJson(body: Buffer): boolean {
  const isSpace = (byte: number | undefined) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
  let start = 0;
  let end = body.length - 1;
  while (start < end && isSpace(body[start])) start++;
  while (end > start && isSpace(body[end])) end--;
  const [first, last] = [body[start], body[end]];
  return start < end && ((first === 0x7b && last === 0x7d) || (first === 0x5b && last === 0x5d));
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/**
 * `'25mb'` -> bytes, read by the same library body-parser reads its own limits with. A limit below
 * one byte would refuse every body, so it is a mistake in the setting, not a limit.
 */
export function bodyLimitBytes(limit: string): number {
  const parsed = bytes.parse(limit);
  if (parsed === null || !Number.isFinite(parsed)) throw new Error(`bodyLimit must look like '25mb', got ${JSON.stringify(limit)}`);
  if (parsed < 1) throw new Error(`bodyLimit must be at least 1 byte (e.g. '25mb'), got ${JSON.stringify(limit)}: it would refuse every request body`);
  return parsed;
}

const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

/** Form values are strings on the wire: typed by the operation's schema for that media type. */
export function coerceForms(doc: OpenApiDocument): RequestHandler {
  return (req, _res, next) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    restoreDroppedFormFields(req);
    const schema = FORM_TYPES.includes(type) ? req.mock!.operation!.requestSchemas[type] : undefined;
    if (schema !== undefined && req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)) {
      coerceFormFields(doc, schema, req.body as Record<string, unknown>);
    }
    next();
  };
}

/** The media types of every `content` at or below a `requestBody` / `requestBodies` key. */
function collectRequestMediaTypes(node: unknown, inRequestBody: boolean, into: Set<string>): void {
  if (typeof node !== 'object' || node === null) return;
  const content = (node as { content?: unknown }).content;
  if (inRequestBody && !Array.isArray(node) && typeof content === 'object' && content !== null) for (const mediaType of Object.keys(content)) into.add(mediaType);
  for (const [key, child] of Object.entries(node)) collectRequestMediaTypes(child, inRequestBody || key === 'requestBody' || key === 'requestBodies', into);
}
