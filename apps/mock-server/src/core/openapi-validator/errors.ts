import type { Request } from 'express';

import { documentsStatus } from '../operations.js';
import type { Operation } from '../operations.js';
import { ProblemError, fieldMessages, problem } from '../problems.js';
import type { Problem, ValidationIssue, ValidationLocation } from '../problems.js';

// What body-parser and express-openapi-validator throw, turned into the shared problem vocabulary
// (with the raw validation detail each vendor words its own way) or into a response violation.
// The validator's error paths, codes and English messages are read here and nowhere else;
// test/openapi-validator.test.ts proves the reading against the installed version.

interface ValidatorError {
  status?: number;
  message?: string;
  errors?: Array<{ path?: string; message?: string; errorCode?: string }>;
  type?: string;
  headers?: Record<string, string>;
}

export function responseViolation(error: unknown): string | undefined {
  const e = error as ValidatorError;
  if (e?.status !== 500 || !Array.isArray(e.errors)) return undefined;
  if (!e.errors.some((item) => /^[./]response/.test(item.path ?? ''))) return undefined;
  return e.errors.map((item) => `${item.path}: ${item.message}`).join('; ');
}

/**
 * A path parameter that is not valid percent-encoding (`/jobs/%zz`), named: a validation error
 * where the operation documents one, else the resource simply does not exist.
 */
export function malformedParameter(operation: Operation, name: string, raw: string): ProblemError {
  const message = `path parameter ${name} is not valid percent-encoding: ${raw}`;
  if (!documentsStatus(operation, 400)) return problem('not_found', `No resource at ${operation.path.replace(`{${name}}`, raw)}: ${message}`);
  return problem('validation', message, { fields: fieldMessages([[`path parameter ${name}`, 'is not valid percent-encoding']]) });
}


/** Whether the client went away before the request could be answered. */
export function wasAborted(error: unknown, req: Request): boolean {
  return (error as ValidatorError | undefined)?.type === 'request.aborted' || req.socket.destroyed;
}

/** `gzip` or `deflate` body that does not inflate: zlib's error, passed on by body-parser as a 400. */
function isInflateError(error: ValidatorError & { code?: unknown }): boolean {
  return error.status === 400 && typeof error.code === 'string' && error.code.startsWith('Z_');
}

/** Maps body-parser and validator errors onto the shared problem vocabulary. */
export function toProblem(error: unknown, req?: Request): Problem {
  if (error instanceof ProblemError) return error.problem as Problem;
  const e = error as ValidatorError & { code?: unknown; expose?: unknown };
  if (isInflateError(e)) {
    const encoding = req?.headers['content-encoding'] ?? 'compressed';
    const message = `Request body is not valid ${encoding} data: ${e.message ?? 'inflate failed'}`;
    return { kind: 'validation', message, fields: { body: [`is not valid ${encoding} data`] } };
  }
  if (e?.type === 'entity.parse.failed') {
    return { kind: 'validation', message: `Request body is not valid JSON: ${e.message ?? 'parse error'}`, fields: { body: ['must be valid JSON'] } };
  }
  if (e?.type === 'entity.too.large') {
    const limit = typeof (e as { limit?: unknown }).limit === 'number' ? ` (the limit is ${(e as { limit: number }).limit} bytes)` : '';
    return { kind: 'validation', message: `Request body is too large${limit}`, fields: { body: ['too large'] }, tooLarge: true };
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return { kind: 'validation', message: e.message ?? 'Unsupported body encoding', fields: { body: [e.message ?? 'unsupported encoding'] } };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && Array.isArray(e.errors)) {
    if (e.status === 415) return unsupportedMediaType(req);
    const issues = e.errors.map((item) => validationIssue(item, req));
    // A path whose percent-encoding is malformed names no resource: where the operation documents
    // no 400, that is its not-found answer rather than an undocumented status.
    const operation = req?.mock?.operation;
    if (operation && !documentsStatus(operation, 400) && issues.every((issue) => issue.location === 'request' && /malformed uri/i.test(issue.message))) {
      return { kind: 'not_found', message: `No resource at ${req!.path}: its percent-encoding is malformed` };
    }
    const fields = fieldMessages(issues.map((issue) => [issue.location === 'body' ? issue.field : describeField(issue), issue.message] as const));
    const message = issues.map((issue) => `${issue.location === 'body' ? issue.field : describeField(issue)}: ${issue.message}`).join('; ');
    return { kind: 'validation', message: message || (e.message ?? 'Invalid request'), fields, issues };
  }
  // Any other body-parser refusal (too many form parameters, form nesting, a size that does not
  // match Content-Length) is a client error that http-errors marks as safe to show.
  if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return { kind: 'validation', message: `Request body was refused: ${e.message ?? e.type}`, fields: { body: [e.message ?? e.type] } };
  }
  return { kind: 'internal', message: 'The mock server failed to handle this request' };
}

/** A body in a media type the operation does not declare, naming the type sent and the ones it takes. */
function unsupportedMediaType(req: Request | undefined): Problem {
  const sent = (req?.headers['content-type'] ?? '').split(';')[0]!.trim();
  const allowed = Object.keys(req?.mock?.operation?.requestSchemas ?? {});
  const message = `Unsupported Content-Type ${sent === '' ? '(none)' : sent}; send ${allowed.join(' or ') || 'no body'}`;
  return {
    kind: 'validation',
    message,
    fields: { 'Content-Type': [message] },
    issues: [{ location: 'headers', path: ['content-type'], field: 'content-type', keyword: 'mediaType', message, value: sent, allowed }],
  };
}

const LOCATIONS: Record<string, ValidationLocation> = { body: 'body', params: 'path', path: 'path', query: 'query', headers: 'headers' };

/** One validator error with the offending value and the allowed values recovered. */
function validationIssue(item: { path?: string; message?: string; errorCode?: string }, req: Request | undefined): ValidationIssue {
  // `/body/references/0/image` or `.body.references[0].image`
  const parts = (item.path ?? '').replace(/^[./]/, '').split(/[./[\]]/).filter(Boolean);
  const [head = 'request', ...rest] = parts;
  const location = LOCATIONS[head] ?? 'request';
  const path = rest.map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const message = item.message ?? 'is invalid';
  const keyword = item.errorCode?.replace(/\.openapi\.(validation|requestValidation)$/, '');
  const issue: ValidationIssue = { location, path, field: fieldPath(path, location), keyword, message };
  const source = req === undefined ? undefined : location === 'path' ? req.params : location === 'request' ? undefined : (req as unknown as Record<string, unknown>)[location];
  const value = valueAt(source, path);
  if (value !== undefined) issue.value = value;
  // express-openapi-validator appends an enum's values to its message: `...allowed values: a, b`.
  const allowed = keyword === 'enum' ? /allowed values: (.*)$/.exec(message)?.[1] : undefined;
  if (allowed !== undefined) issue.allowed = allowed.split(', ');
  return issue;
}

function valueAt(source: unknown, path: ReadonlyArray<string | number>): unknown {
  let current = source;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** `['references', 0, 'image']` -> `references[0].image`. */
function fieldPath(path: ReadonlyArray<string | number>, location: ValidationLocation): string {
  const joined = path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  return joined || (location === 'request' ? 'request' : location);
}

/** How a non-body field is named in messages: `path parameter id`, `query parameter verbose`; a body field as it is. */
export function describeField(issue: ValidationIssue): string {
  const name = issue.path.length > 0 ? issue.field : '';
  const label = { path: 'path parameter', query: 'query parameter', headers: 'header', body: '', request: '' }[issue.location];
  return name ? `${label} ${name}`.trim() : issue.field;
}
