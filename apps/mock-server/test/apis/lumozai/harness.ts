import { expect } from 'vitest';

import type { MockServerOptions } from '../../../src/index.js';
import type { Harness } from '../../harness.js';
import { onlyApi, startMock } from '../../harness.js';

export const LUMOZ_KEY = 'lmz_mock_dev';

/** The documented hidream-l1 example, as curl's `-d` sends it. */
export const HIDREAM_FORM = {
  model_id: 'hidream-l1',
  prompt: 'A beautiful sunset over mountains',
  negative_prompt: 'blurry, low quality',
  guidance_scale: '7.5',
  num_inference_steps: '30',
} as const;

export interface LumozRequest {
  /** Sent as `application/x-www-form-urlencoded`, like the docs' curl `-d`. */
  form?: Record<string, string>;
  /** Sent as `multipart/form-data`, like the docs' PHP array. */
  multipart?: Record<string, string>;
  /** Sent as JSON (the spec's inferred media type). */
  json?: unknown;
  /** The Bearer key; `null` sends none. Default: {@link LUMOZ_KEY}. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface LumozAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export interface LumozHarness extends Harness {
  /** LumozAI's base URL at the mock: `http://127.0.0.1:<port>/lumozai/api/v4`. */
  api: string;
  post(path: '/run' | '/check' | string, request?: LumozRequest): Promise<LumozAnswer>;
  /** Runs the documented example (or `form`) and returns its request_id. */
  runId(request?: LumozRequest): Promise<number>;
}

/** An in-process mock (manual clock, 127.0.0.1:0) with LumozAI helpers. */
export async function startLumozAI(options: MockServerOptions = {}): Promise<LumozHarness> {
  const h = await startMock(onlyApi('lumozai', options));
  const api = h.running.baseUrl('lumozai');
  const post: LumozHarness['post'] = async (path, request = {}) => {
    const { key = LUMOZ_KEY, form, multipart, json } = request;
    const headers = new Headers({ Accept: 'application/json', ...request.headers });
    if (key !== null) headers.set('Authorization', `Bearer ${key}`);
    let body: BodyInit | undefined;
    if (form) body = new URLSearchParams(form);
    if (json !== undefined) {
      headers.set('Content-Type', 'application/json');
      body = JSON.stringify(json);
    }
    if (multipart) {
      const data = new FormData();
      for (const [name, value] of Object.entries(multipart)) data.append(name, value);
      body = data;
    }
    const response = await fetch(`${api}${path}`, { method: 'POST', headers, body });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`${path} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
  return {
    ...h,
    api,
    post,
    async runId(request = { form: HIDREAM_FORM }) {
      const answer = await post('/run', request);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return (answer.body.data as { request_id: number }).request_id;
    },
  };
}

/** `error` of a LumozAI error envelope, asserting the envelope. */
export function lumozError(answer: LumozAnswer): { code: string; message: string; details?: Record<string, string[]> } {
  expect(answer.body, JSON.stringify(answer.body)).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } });
  return answer.body.error as { code: string; message: string; details?: Record<string, string[]> };
}
