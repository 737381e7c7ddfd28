// Requests built from a spec alone: a valid body per declared media type (the spec's own examples
// first), path and query values, and the credentials each security scheme asks for. Shared by the
// tests that cover every API in the registry, so a new API is covered without new test code.
import { randomUUID } from 'node:crypto';

import { deref } from '../src/index.js';
import type { OpenApiDocument, Operation } from '../src/index.js';

type Schema = {
  type?: string | string[];
  format?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  minLength?: number;
  minItems?: number;
  properties?: Record<string, unknown>;
  required?: string[];
  items?: unknown;
  allOf?: unknown[];
  oneOf?: unknown[];
  anyOf?: unknown[];
};

type Parameter = { name: string; in: string; required?: boolean; schema?: unknown; example?: unknown; examples?: Record<string, unknown> };
type MediaType = { schema?: unknown; example?: unknown; examples?: Record<string, unknown> };

/** A value the schema accepts: its example, default, first enum value, or one built from its type. */
export function sampleOf(doc: OpenApiDocument, node: unknown, depth = 0): unknown {
  const schema = deref<Schema>(doc, node) ?? {};
  if (schema.example !== undefined) return schema.example;
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.allOf?.length) {
    return Object.assign({}, ...schema.allOf.map((part) => sampleOf(doc, part, depth + 1)).filter((part) => typeof part === 'object'));
  }
  const alternative = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (alternative !== undefined) return sampleOf(doc, alternative, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || (type === undefined && schema.properties)) {
    if (depth > 8) return {};
    return Object.fromEntries((schema.required ?? []).map((name) => [name, sampleOf(doc, schema.properties?.[name], depth + 1)]));
  }
  if (type === 'array') return Array.from({ length: schema.minItems ?? 0 }, () => sampleOf(doc, schema.items, depth + 1));
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (schema.format === 'uuid') return randomUUID();
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/image.png';
  if (schema.format === 'email') return 'someone@example.com';
  if (schema.format === 'date-time') return '2026-05-16T12:00:00Z';
  if (schema.format === 'binary') return BINARY;
  return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
}

/** Stands for a file in a sampled body: sent as a part with bytes in multipart, else as a name. */
export const BINARY = Symbol('binary');

const raw = (doc: OpenApiDocument, operation: Operation) => doc.paths[operation.path]?.[operation.method.toLowerCase()] as Record<string, unknown>;

function parametersOf(doc: OpenApiDocument, operation: Operation): Parameter[] {
  const pathLevel = (doc.paths[operation.path]?.parameters ?? []) as unknown[];
  const opLevel = (raw(doc, operation).parameters ?? []) as unknown[];
  return [...pathLevel, ...opLevel].map((parameter) => deref<Parameter>(doc, parameter));
}

function parameterValue(doc: OpenApiDocument, parameter: Parameter): string {
  const example = parameter.example ?? Object.values(parameter.examples ?? {}).map((e) => deref<{ value?: unknown }>(doc, e).value)[0];
  const value = example ?? sampleOf(doc, parameter.schema);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The operation's path with every parameter filled in (as `pick` chooses it, raw, else the spec's example), and its required query. */
export function pathOf(doc: OpenApiDocument, operation: Operation, pick?: (name: string) => string | undefined): string {
  const parameters = parametersOf(doc, operation);
  const path = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const chosen = pick?.(name);
    if (chosen !== undefined) return chosen;
    const parameter = parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    return encodeURIComponent(parameter ? parameterValue(doc, parameter) : 'x');
  });
  const query = new URLSearchParams();
  for (const parameter of parameters) if (parameter.in === 'query' && parameter.required) query.set(parameter.name, parameterValue(doc, parameter));
  return query.size > 0 ? `${path}?${query}` : path;
}

/** Required header parameters, with the spec's example values. */
export function headersOf(doc: OpenApiDocument, operation: Operation): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const parameter of parametersOf(doc, operation)) if (parameter.in === 'header' && parameter.required) headers[parameter.name] = parameterValue(doc, parameter);
  return headers;
}

/** Every example body the spec gives the media type, or one sampled from its schema when it gives none. */
export function exampleBodies(doc: OpenApiDocument, operation: Operation, mediaType: string): unknown[] {
  const requestBody = deref<{ content?: Record<string, MediaType> }>(doc, raw(doc, operation).requestBody);
  const entry = Object.entries(requestBody?.content ?? {}).find(([type]) => type.toLowerCase() === mediaType);
  if (!entry) return [];
  const media = entry[1];
  const examples = [
    ...(media.example === undefined ? [] : [media.example]),
    ...Object.values(media.examples ?? {}).map((example) => deref<{ value?: unknown }>(doc, example).value).filter((value) => value !== undefined),
  ];
  return examples.length > 0 ? examples : [sampleOf(doc, media.schema)];
}

/** A body encoded as the media type says; returns the bytes and the Content-Type to send them with. */
export async function encodeBody(mediaType: string, body: unknown): Promise<{ body: Buffer; contentType: string }> {
  if (mediaType === 'multipart/form-data' || mediaType === 'application/x-www-form-urlencoded') {
    const fields = Object.entries((body ?? {}) as Record<string, unknown>).flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map((item) => [name, item] as const),
    );
    if (mediaType === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(fields.map(([name, value]) => [name, formText(value)]));
      return { body: Buffer.from(form.toString()), contentType: mediaType };
    }
    const form = new FormData();
    for (const [name, value] of fields) {
      if (value === BINARY) form.append(name, new Blob([TINY_PNG], { type: 'image/png' }), 'reference.png');
      else form.append(name, formText(value));
    }
    const encoded = new Response(form);
    return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
  }
  return { body: Buffer.from(JSON.stringify(body, (_key, value: unknown) => (value === BINARY ? 'reference.png' : value))), contentType: mediaType };
}

/**
 * `encodeBody(mediaType, { ...body, [field]: 'x'.repeat(length) })`, byte for byte, without
 * encoding the long value: a letter needs no escaping in JSON, a form or multipart, so the body is
 * encoded with a short stand-in and the run of `x` put in its place. Encoding 24 MB of text
 * through JSON.stringify, URLSearchParams or FormData took about 150 ms of CPU per body.
 */
export async function encodeBodyWithLongField(mediaType: string, body: Record<string, unknown>, field: string, length: number): Promise<{ body: Buffer; contentType: string }> {
  const standIn = `standin${randomUUID().replaceAll('-', '')}`;
  const encoded = await encodeBody(mediaType, { ...body, [field]: standIn });
  const at = encoded.body.indexOf(standIn);
  if (at < 0 || encoded.body.indexOf(standIn, at + 1) >= 0) throw new Error(`${mediaType}: the stand-in for ${field} is not in the body exactly once`);
  return { body: Buffer.concat([encoded.body.subarray(0, at), Buffer.alloc(length, 'x'), encoded.body.subarray(at + standIn.length)]), contentType: encoded.contentType };
}

function formText(value: unknown): string {
  return typeof value === 'string' ? value : value === BINARY ? 'reference.png' : JSON.stringify(value);
}

const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** Headers (and query) that present `key` the way the operation's first security alternative asks for. */
export function credentials(operation: Operation, key: string): { headers: Record<string, string>; query: string } {
  const headers: Record<string, string> = {};
  const query = new URLSearchParams();
  for (const scheme of operation.security[0] ?? []) {
    if (scheme.type === 'http') headers.Authorization = scheme.scheme === 'basic' ? `Basic ${Buffer.from(key).toString('base64')}` : `Bearer ${key}`;
    else if (scheme.in === 'header') headers[scheme.paramName] = key;
    else if (scheme.in === 'query') query.set(scheme.paramName, key);
    else headers.Cookie = `${scheme.paramName}=${key}`;
  }
  return { headers, query: query.toString() };
}

/** `path` with `query` appended, whether or not it already has one. */
export function withQuery(path: string, query: string): string {
  if (!query) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}
