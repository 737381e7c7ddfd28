import busboy from 'busboy';
import type { NextFunction, Request, RequestHandler } from 'express';

import { knownBodyLength, readKnownLengthBody } from './pipeline/body-reader.js';

import { problem } from './problems.js';
import type { OpenApiDocument } from './spec-document.js';
import { deref } from './spec-document.js';

/** A file part of a multipart body. */
export interface UploadedFile {
  field: string;
  filename: string;
  mimeType: string;
  bytes: Buffer;
}

export interface MultipartLimits {
  /** Largest body, files included, in bytes. */
  bodyBytes: number;
  /** Largest value of one field that is not a file, in bytes. Default: `bodyBytes`. */
  fieldBytes?: number;
  /** Most fields and files in one body. Default: 200. */
  parts?: number;
}

/**
 * Parses `multipart/form-data` into `req.body` (fields, a repeated name becoming an array) and the
 * request context's `uploads` (files). A file field also appears in the body as `''`, as
 * express-openapi-validator expects for a `format: binary` property. A malformed or oversized body
 * is the client's mistake: a `validation` problem, never a 5xx.
 */
export function multipartParser(limits: MultipartLimits): RequestHandler {
  const maxParts = limits.parts ?? 200;
  const fieldBytes = Math.min(limits.bodyBytes, limits.fieldBytes ?? limits.bodyBytes);
  return (req, _res, next) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\b/i.test(type)) return next();
    // A small body of plain text fields (what a client sends without files) is split here; any
    // other body goes to busboy, buffered if it was read for that, streamed if it is large.
    const plain = PLAIN_MULTIPART_TYPE.exec(type);
    const boundary = plain?.[1] ?? plain?.[2];
    const length = boundary === undefined ? undefined : knownBodyLength(req, Math.min(limits.bodyBytes, MAX_PLAIN_MULTIPART_BYTES));
    if (length === undefined) return parseWithBusboy(req, next, limits, undefined);
    readKnownLengthBody(req, length, undefined, (error, bytes) => {
      if (error !== undefined) return next(error.type === 'request.aborted' ? multipartProblem(ABORTED_UPLOAD) : error);
      const fields = plainMultipartFields(bytes!, boundary!, Math.min(maxParts, MAX_PLAIN_MULTIPART_FIELDS), fieldBytes);
      if (fields === undefined) return parseWithBusboy(req, next, limits, bytes);
      const body = Object.create(null) as Record<string, unknown>;
      for (const [name, value] of fields) addField(body, name, value);
      req.body = body;
      if (req.mock) req.mock.uploads = [];
      next();
    });
  };
}

/**
 * busboy reading every multipart body as it arrives: what {@link multipartParser} leaves the other
 * bodies to, and the reference test/body-reader.test.ts holds it to.
 */
export function busboyMultipartParser(limits: MultipartLimits): RequestHandler {
  return (req, _res, next) => (/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '') ? parseWithBusboy(req, next, limits, undefined) : next());
}

/**
 * `multipart/form-data; boundary=...` with nothing else, the boundary quoted or a token: the type in
 * any case, the parameter's name in lowercase (busboy lowercases the one, not the other).
 */
const PLAIN_MULTIPART_TYPE = /^[Mm][Uu][Ll][Tt][Ii][Pp][Aa][Rr][Tt]\/[Ff][Oo][Rr][Mm]-[Dd][Aa][Tt][Aa]; ?boundary=(?:"([\w'()+,./:=?-]{1,70})"|([\w'+.-]{1,70}))$/;
/** Bodies split without busboy: small ones, with few fields. */
const MAX_PLAIN_MULTIPART_BYTES = 64 * 1024;
const MAX_PLAIN_MULTIPART_FIELDS = 64;
/**
 * A part that is a text field and nothing else, its name plain ASCII: the header's name and the
 * disposition type in any case (busboy lowercases both), the `name` parameter as busboy reads it.
 */
const PLAIN_FIELD_HEADER = /^[Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Dd][Ii][Ss][Pp][Oo][Ss][Ii][Tt][Ii][Oo][Nn]: ?[Ff][Oo][Rr][Mm]-[Dd][Aa][Tt][Aa]; ?name="([\w.[\]-]+)"$/;
const CRLF = Buffer.from('\r\n');
const ABORTED_UPLOAD = 'The client aborted the upload';

/**
 * The fields of a multipart body made only of text fields, in order, exactly as busboy reads them
 * (UTF-8 values, the parts between `--boundary` lines); undefined for anything else, left to busboy:
 * a preamble, a file or any part header besides `Content-Disposition: form-data; name="..."`, a
 * name busboy would decode (quotes, escapes, non-ASCII), a value at the field size limit, more
 * `maxFields` parts or more, a body that does not end with the closing boundary.
 */
export function plainMultipartFields(body: Buffer, boundary: string, maxFields: number, fieldBytes: number): Array<[string, string]> | undefined {
  const opening = Buffer.from(`--${boundary}\r\n`);
  const separator = Buffer.from(`\r\n--${boundary}`);
  if (body.length < opening.length || !body.subarray(0, opening.length).equals(opening)) return undefined;
  const fields: Array<[string, string]> = [];
  for (let at = opening.length; ; ) {
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) return undefined;
    const header = PLAIN_FIELD_HEADER.exec(body.toString('latin1', at, headerEnd));
    if (!header) return undefined;
    const valueStart = headerEnd + 4;
    const valueEnd = body.indexOf(separator, valueStart);
    if (valueEnd < 0 || valueEnd - valueStart >= fieldBytes) return undefined;
    fields.push([header[1]!, body.toString('utf8', valueStart, valueEnd)]);
    // busboy counts the closing boundary as a part too: `maxFields` fields already reach its limit.
    if (fields.length >= maxFields) return undefined;
    at = valueEnd + separator.length;
    if (body[at] === 0x2d && body[at + 1] === 0x2d) {
      const rest = body.subarray(at + 2);
      return rest.length === 0 || rest.equals(CRLF) ? fields : undefined;
    }
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) return undefined;
    at += 2;
  }
}

function multipartProblem(message: string) {
  return problem('validation', message, { fields: { body: [message] }, tooLarge: /too large/.test(message) });
}

/** A repeated name becomes an array, in the order sent. */
function addField(body: Record<string, unknown>, name: string, value: unknown): void {
  const existing = body[name];
  body[name] = existing === undefined ? value : Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
}

/** busboy's reading: of the request as it arrives, or of `buffered`, the body already read off it. */
function parseWithBusboy(req: Request, next: NextFunction, limits: MultipartLimits, buffered: Buffer | undefined): void {
  const maxParts = limits.parts ?? 200;
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fieldSize: Math.min(limits.bodyBytes, limits.fieldBytes ?? limits.bodyBytes), fileSize: limits.bodyBytes, fields: maxParts, files: maxParts, parts: maxParts } });
  } catch (error) {
    // busboy refuses a multipart Content-Type without a boundary before reading anything.
    return next(problem('validation', `Malformed multipart body: ${(error as Error).message}`, { fields: { body: ['malformed multipart body'] } }));
  }
  const body = Object.create(null) as Record<string, unknown>;
  const uploads: UploadedFile[] = [];
  let received = 0;
  let failed = false;
  const fail = (message: string) => {
    if (failed) return;
    failed = true;
    if (buffered === undefined) {
      req.unpipe(parser);
      req.resume();
    }
    next(multipartProblem(message));
  };
  parser.on('field', (name, value, info) => {
    received += value.length;
    if (info.valueTruncated) return fail(`Field ${name} is too large: over ${Math.min(limits.bodyBytes, limits.fieldBytes ?? limits.bodyBytes)} bytes`);
    if (received > limits.bodyBytes) return fail(`Request body is too large: field ${name} exceeds the limit`);
    addField(body, name, value);
  });
  parser.on('file', (name, stream, info) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.bodyBytes) fail(`Request body is too large: file ${name} exceeds the limit`);
      else chunks.push(chunk);
    });
    stream.on('limit', () => fail(`Request body is too large: file ${name} exceeds the limit`));
    stream.on('end', () => {
      uploads.push({ field: name, filename: info.filename ?? '', mimeType: info.mimeType, bytes: Buffer.concat(chunks) });
      addField(body, name, '');
    });
  });
  parser.on('partsLimit', () => fail(`Too many parts in the multipart body (limit ${maxParts})`));
  parser.on('fieldsLimit', () => fail(`Too many fields in the multipart body (limit ${maxParts})`));
  parser.on('filesLimit', () => fail(`Too many files in the multipart body (limit ${maxParts})`));
  parser.on('error', (error: Error) => fail(`Malformed multipart body: ${error.message}`));
  parser.on('close', () => {
    if (failed) return;
    req.body = body;
    if (req.mock) req.mock.uploads = uploads;
    next();
  });
  if (buffered !== undefined) return void parser.end(buffered);
  req.on('aborted', () => fail(ABORTED_UPLOAD));
  req.pipe(parser);
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, unknown>;
  items?: unknown;
  allOf?: unknown[];
  oneOf?: unknown[];
  anyOf?: unknown[];
};

/**
 * Form values arrive as strings; the spec says what each field is. Converts, in place, the values
 * whose schema is a number, an integer or a boolean (and arrays of those), so `guidance_scale=7.5`
 * validates like JSON's `7.5`. A value that does not parse is left as sent, for the validator to
 * name. JSON bodies never come here: they keep their strict types.
 */
export function coerceFormFields(doc: OpenApiDocument, schema: unknown, body: Record<string, unknown>): void {
  const properties = propertiesOfSchema(doc, schema);
  for (const [name, value] of Object.entries(body)) {
    const property = properties.get(name);
    if (property !== undefined) body[name] = coerce(doc, property, value);
  }
}

/** Each schema's properties, read from the spec once (a schema object belongs to one document). */
const propertiesCache = new WeakMap<object, Map<string, unknown>>();

function propertiesOfSchema(doc: OpenApiDocument, schema: unknown): Map<string, unknown> {
  if (typeof schema !== 'object' || schema === null) return propertiesOf(doc, schema);
  let found = propertiesCache.get(schema);
  if (found === undefined) propertiesCache.set(schema, (found = propertiesOf(doc, schema)));
  return found;
}

function propertiesOf(doc: OpenApiDocument, node: unknown, found = new Map<string, unknown>()): Map<string, unknown> {
  const schema = deref<Schema | undefined>(doc, node);
  if (!schema || typeof schema !== 'object') return found;
  for (const [name, property] of Object.entries(schema.properties ?? {})) if (!found.has(name)) found.set(name, property);
  for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) propertiesOf(doc, part, found);
  return found;
}

/** Property schemas as resolved from their `$ref`s, once each: forms are typed on every request. */
const resolvedSchemas = new WeakMap<object, Schema>();

function resolved(doc: OpenApiDocument, node: unknown): Schema {
  if (typeof node !== 'object' || node === null) return deref<Schema>(doc, node);
  let schema = resolvedSchemas.get(node);
  if (schema === undefined) resolvedSchemas.set(node, (schema = deref<Schema>(doc, node)));
  return schema;
}

function coerce(doc: OpenApiDocument, node: unknown, value: unknown): unknown {
  const schema = resolved(doc, node);
  const type = primaryType(schema);
  if (type === 'array') {
    const items = Array.isArray(value) ? value : [value];
    return schema.items === undefined ? items : items.map((item) => coerce(doc, schema.items, item));
  }
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (type === 'integer' && /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  if (type === 'number' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return value;
}

function primaryType(schema: Schema): string | undefined {
  const types = Array.isArray(schema.type) ? schema.type.filter((t) => t !== 'null') : schema.type === undefined ? [] : [schema.type];
  return types[0];
}
