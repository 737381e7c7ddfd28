import { deref } from './spec-document.js';
import type { OpenApiDocument } from './spec-document.js';

/** Reads the vendor's error code (or type) a documented response pins; undefined for other responses. */
export type ErrorCodeOf = (doc: OpenApiDocument, responseRef: unknown) => string | undefined;

type Schema = { properties?: Record<string, unknown>; enum?: unknown[] };

/**
 * The strings a response's JSON body schema allows at a property path (its enum), in the spec's
 * order, e.g. `['error', 'code']` -> `['missing_api_key', 'invalid_api_key', 'revoked_api_key']`;
 * empty when the schema has no such enum.
 */
export function allowedBodyValues(doc: OpenApiDocument, responseRef: unknown, path: readonly string[]): string[] {
  const response = deref<{ content?: Record<string, { schema?: unknown }> }>(doc, responseRef);
  let schema: Schema | undefined = response.content?.['application/json']?.schema === undefined ? undefined : deref<Schema>(doc, response.content['application/json'].schema);
  for (const key of path) {
    const next: unknown = schema?.properties?.[key];
    schema = next === undefined ? undefined : deref<Schema>(doc, next);
  }
  return (schema?.enum ?? []).filter((value): value is string => typeof value === 'string');
}

/**
 * The single string a response's JSON body schema pins at a property path (an enum of one value),
 * e.g. `['error', 'type']` -> `validation_error`: how vendors' specs tie each error code to its status.
 */
export function pinnedBodyValue(doc: OpenApiDocument, responseRef: unknown, path: readonly string[]): string | undefined {
  const values = allowedBodyValues(doc, responseRef, path);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * Every error code the spec's operations document, with the one status each is sent with (and
 * back), so a vendor's error format reads statuses from the spec instead of a table of numbers.
 */
export function errorCodeStatuses(
  doc: OpenApiDocument,
  codeOf: ErrorCodeOf | ((doc: OpenApiDocument, responseRef: unknown) => readonly string[]),
): { statusByCode: Map<string, number>; codeByStatus: Map<number, string> } {
  const statusByCode = new Map<string, number>();
  const codeByStatus = new Map<number, string>();
  for (const path of Object.values(doc.paths)) {
    for (const operation of Object.values(path) as Array<{ responses?: Record<string, unknown> }>) {
      for (const [status, ref] of Object.entries(operation.responses ?? {})) {
        // A response may allow several codes (Lumen's 401: missing, invalid or revoked key).
        const codes = [codeOf(doc, ref) ?? []].flat();
        if (codes.length === 0) continue;
        for (const code of codes) statusByCode.set(code, Number(status));
        codeByStatus.set(Number(status), codes[0]!);
      }
    }
  }
  return { statusByCode, codeByStatus };
}
