import type { IncomingHttpHeaders } from 'node:http';

import type { Operation } from '../core/operations.js';
import type { OpenApiDocument } from '../core/spec-document.js';
import { deref } from '../core/spec-document.js';
import type { Difference } from './schema-diff.js';
import { diffAgainstSchema } from './schema-diff.js';

/** An answer as the upstream sent it, its body already decoded from any Content-Encoding. */
export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Every difference between an upstream's answer to `operation` and what the spec documents for it:
 * the status, the media type, each header the spec marks required, and a JSON body field by field.
 */
export function diffAnswer(doc: OpenApiDocument, operation: Operation, answer: UpstreamAnswer, head = false): Difference[] {
  const status = String(answer.status);
  const key = [status, `${status[0]}XX`, 'default'].find((candidate) => operation.responses[candidate] !== undefined);
  if (key === undefined) {
    const documented = operation.statuses.join(', ');
    return [{ kind: 'undocumented-status', pointer: '', message: `status ${status} is not documented (documented: ${documented})`, value: summarizeBody(answer), inferred: false }];
  }
  const response = operation.responses[key]!;
  const responseInferred = response['x-inferred'] === true;
  const differences: Difference[] = [];
  const headers = (response.headers ?? {}) as Record<string, unknown>;
  for (const [name, raw] of Object.entries(headers)) {
    const header = deref<Record<string, unknown>>(doc, raw);
    if (header.required !== true || answer.headers[name.toLowerCase()] !== undefined) continue;
    differences.push({ kind: 'header-absent', pointer: `/headers/${name}`, message: `required header ${name} is absent`, inferred: responseInferred || header['x-inferred'] === true });
  }
  const content = (response.content ?? {}) as Record<string, { schema?: unknown }>;
  const mediaTypes = Object.keys(content);
  const sent = (answer.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (head || (answer.body.length === 0 && mediaTypes.length === 0)) return differences;
  const media = mediaTypes.find((type) => mediaTypeMatches(type, sent));
  if (media === undefined) {
    const documented = mediaTypes.length > 0 ? mediaTypes.join(', ') : 'no body';
    differences.push({ kind: 'undocumented-content-type', pointer: '', message: `Content-Type ${sent || '(none)'} where the spec documents ${documented}`, inferred: responseInferred });
    return differences;
  }
  const schema = content[media]?.schema;
  if (schema === undefined || !isJson(media)) return differences;
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    differences.push({ kind: 'wrong-type', pointer: '', message: `body is not JSON although the Content-Type is ${sent}`, inferred: responseInferred });
    return differences;
  }
  differences.push(...diffAgainstSchema(doc, schema, body, '', responseInferred));
  return differences;
}

function mediaTypeMatches(documented: string, sent: string): boolean {
  const type = documented.toLowerCase();
  if (type === sent || type === '*/*') return true;
  if (type.endsWith('/*')) return sent.startsWith(type.slice(0, -1));
  return false;
}

function isJson(mediaType: string): boolean {
  return /(^application\/json$)|(\+json$)/i.test(mediaType);
}

/** A short account of an undocumented answer's body, for the report's example. */
function summarizeBody(answer: UpstreamAnswer): unknown {
  const type = answer.headers['content-type'] ?? '';
  if (/json/i.test(type)) {
    try {
      return JSON.parse(answer.body.toString('utf8')) as unknown;
    } catch {
      // fall through to the text
    }
  }
  return /^text\//i.test(type) ? answer.body.toString('utf8').slice(0, 200) : `${answer.body.length} bytes of ${type || 'unknown type'}`;
}
