import type { Operation } from '../core/operations.js';
import type { OpenApiDocument } from '../core/spec-document.js';
import { deref } from '../core/spec-document.js';
import type { Difference } from './schema-diff.js';
import { diffAgainstSchema } from './schema-diff.js';
import type { UpstreamAnswer } from './forward.js';

export type { UpstreamAnswer };

/**
 * Every difference between an upstream's answer to `operation` and what the spec documents for it:
 * the status, the media type, each header the spec marks required (and the value of every
 * documented header sent), and a JSON body field by field. A body not kept (binary, or JSON past
 * the checking limit) is checked by its media type and by not being empty.
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
    const inferred = responseInferred || header['x-inferred'] === true;
    const sent = answer.headers[name.toLowerCase()];
    if (sent === undefined) {
      if (header.required === true) differences.push({ kind: 'header-absent', pointer: `/headers/${name}`, message: `required header ${name} is absent`, inferred });
      continue;
    }
    if (header.schema === undefined) continue;
    // A header is text on the wire: read as the schema's type, as a client would parse it.
    const value = headerValue(doc, header.schema, Array.isArray(sent) ? sent.join(', ') : sent);
    differences.push(...diffAgainstSchema(doc, header.schema, value, `/headers/${name}`, inferred).map((difference) => ({ ...difference, message: `header ${name}: ${difference.message}` })));
  }
  const content = (response.content ?? {}) as Record<string, { schema?: unknown }>;
  const mediaTypes = Object.keys(content);
  const sent = (answer.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (head || (answer.size === 0 && mediaTypes.length === 0)) return differences;
  const media = mediaTypes.find((type) => mediaTypeMatches(type, sent));
  if (media === undefined) {
    const documented = mediaTypes.length > 0 ? mediaTypes.join(', ') : 'no body';
    differences.push({ kind: 'undocumented-content-type', pointer: '', message: `Content-Type ${sent || '(none)'} where the spec documents ${documented}`, inferred: responseInferred });
    return differences;
  }
  if (answer.size === 0) {
    differences.push({ kind: 'missing-field', pointer: '', message: `empty body where the spec documents ${media}`, inferred: responseInferred });
    return differences;
  }
  const schema = content[media]?.schema;
  if (schema === undefined || !isJson(media) || answer.body === undefined) return differences;
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

/** A header's text as the value its schema describes: a number, an integer or a boolean where it says so. */
function headerValue(doc: OpenApiDocument, node: unknown, text: string): unknown {
  const schema = deref<{ type?: unknown }>(doc, node);
  const type = Array.isArray(schema.type) ? schema.type.find((one) => one !== 'null') : schema.type;
  const trimmed = text.trim();
  if ((type === 'integer' || type === 'number') && trimmed !== '' && Number.isFinite(Number(trimmed))) return Number(trimmed);
  if (type === 'boolean' && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return text;
}

/** A short account of an undocumented answer's body, for the report's example. */
function summarizeBody(answer: UpstreamAnswer): unknown {
  const type = answer.headers['content-type'] ?? '';
  if (answer.body === undefined) return `${answer.size} bytes of ${type || 'unknown type'}`;
  if (/json/i.test(type)) {
    try {
      return JSON.parse(answer.body.toString('utf8')) as unknown;
    } catch {
      // fall through to the text
    }
  }
  return /^text\//i.test(type) ? answer.body.toString('utf8').slice(0, 200) : `${answer.size} bytes of ${type || 'unknown type'}`;
}
