// What inspector-page.test.ts needs from every API the mock serves to take it through a life cycle:
// how to create a job with its dev key. Each API keeps its drive beside its other tests, in
// `test/apis/<slug>/inspector-drive.ts` (a default export), found by slug rather than listed; the
// operation a fault plan names and whether it sends webhooks come from the registry and the spec.

export interface InspectorDrive {
  /** The dev key, and how it is sent. */
  key: string;
  auth: (key: string) => Record<string, string>;
  /** The path below the base URL that creates a job, and a body (with a webhook URL where the API takes one). */
  path: string;
  body: (hook: string | undefined) => { json: unknown } | { form: Record<string, string> };
  /** Prefer for a failed job, in the API's words. */
  fail: string;
  /** Prefer every create carries (LumozAI's /run would otherwise hold the request until the run ends). */
  prefer?: string;
}

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
