// What callbacks-after-close.test.ts needs from an API whose spec declares a callback: one job that
// asks for it. Each such API has its case beside its other tests, in
// `test/apis/<slug>/callback-case.ts` (a default export), found by slug rather than listed.
import type { OpenApiDocument } from '../src/core/spec-document.js';
import type { Harness } from './harness.js';

export interface CallbackCase {
  /** Creates one job on the running mock `h` that asks to be called back at `hook`; answers 200. */
  create(h: Harness, hook: string): Promise<Response>;
  /** Callbacks the API sends when the job is created, before it settles (0 for most). */
  sentAtCreation: number;
}

/** Whether the spec declares a callback: `callbacks` on an operation, or 3.1 `webhooks`. */
export function declaresCallbacks(doc: OpenApiDocument): boolean {
  const { paths = {}, webhooks } = doc as OpenApiDocument & { webhooks?: Record<string, unknown> };
  if (webhooks !== undefined && Object.keys(webhooks).length > 0) return true;
  return Object.values(paths).some((item) => Object.values(item ?? {}).some((operation) => typeof operation === 'object' && operation !== null && 'callbacks' in operation));
}
