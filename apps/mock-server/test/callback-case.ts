// What callbacks-after-close.test.ts needs from an API whose spec declares a callback: one job that
// asks for it. Each such API has its case beside its other tests, in
// `test/apis/<slug>/callback-case.ts` (a default export), found by slug rather than listed.
import type { Harness } from './harness.js';

export interface CallbackCase {
  /** Creates one job on the running mock `h` that asks to be called back at `hook`; answers 200. */
  create(h: Harness, hook: string): Promise<Response>;
  /** Callbacks the API sends when the job is created, before it settles (0 for most). */
  sentAtCreation: number;
}
