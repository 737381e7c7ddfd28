import busboy from 'busboy';
import type { RequestHandler } from 'express';

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
  return (req, _res, next) => {
    if (!/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '')) return next();
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
      req.unpipe(parser);
      req.resume();
      next(problem('validation', message, { fields: { body: [message] }, tooLarge: /too large/.test(message) }));
    };
    const add = (name: string, value: unknown) => {
      const existing = body[name];
      body[name] = existing === undefined ? value : Array.isArray(existing) ? [...(existing as unknown[]), value] : [existing, value];
    };
    parser.on('field', (name, value, info) => {
      received += value.length;
      if (info.valueTruncated) return fail(`Field ${name} is too large: over ${Math.min(limits.bodyBytes, limits.fieldBytes ?? limits.bodyBytes)} bytes`);
      if (received > limits.bodyBytes) return fail(`Request body is too large: field ${name} exceeds the limit`);
      add(name, value);
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
        add(name, '');
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
    req.on('aborted', () => fail('The client aborted the upload'));
    req.pipe(parser);
  };
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

function coerce(doc: OpenApiDocument, node: unknown, value: unknown): unknown {
  const schema = deref<Schema>(doc, node);
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
