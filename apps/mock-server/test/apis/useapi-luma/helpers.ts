// What the useapi.net Luma tests share: a Bearer-token caller on the API's base URL, the spec's own
// id patterns, and the setup steps several tests need (a batch, an upload).
import type { ImageJob, ImagesCreated, ImagesRequest } from '@imagegen/useapi-luma';
import { expect } from 'vitest';

import { loadSpec } from '../../../src/index.js';
import type { MockServerOptions } from '../../../src/index.js';
import { onlyApi, startMock } from '../../harness.js';
import type { Harness } from '../../harness.js';

export const TOKENS = {
  dev: 'useapi_mock_dev',
  oneSlot: 'useapi_mock_one_slot',
  noSubscription: 'useapi_mock_no_subscription',
  sessionError: 'useapi_mock_session_error',
} as const;

/** Every job of a batch queues 1 s and generates 2 s, on the test's manual clock. */
export const TIMING = { queuedMs: 1000, runningMs: 2000 };

const doc = loadSpec('useapi-luma');
const schemas = doc.components!.schemas as Record<string, { pattern: string }>;
/** The spec's own patterns, so a test of the id format checks what the spec promises. */
export const JOB_ID = new RegExp(schemas.JobId!.pattern);
export const ASSET_REF = new RegExp(schemas.AssetRef!.pattern);

export const ASTRONAUT: ImagesRequest = {
  prompt: 'A photorealistic portrait of an astronaut on Mars',
  model: 'photon-v2',
  resolution: '1080p',
  aspect_ratio: '16:9',
};

export interface UseapiHarness extends Harness {
  /** The API's base URL, `.../useapi-luma/v1/luma`. */
  api: string;
  /** fetch below the base URL with `Authorization: Bearer <token>` (the dev token unless given; `null` sends none). */
  send(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  /** POST /images as JSON, expecting 200. */
  create(body?: ImagesRequest, init?: { token?: string; headers?: Record<string, string> }): Promise<ImagesCreated>;
  /** GET /jobs/{jobid}, expecting 200. */
  job(jobid: string, token?: string): Promise<ImageJob>;
}

/** A mock with fixed job timing on a manual clock, and the useapi.net helpers. */
export async function startUseapiMock(options: MockServerOptions = {}): Promise<UseapiHarness> {
  const h = await startMock(onlyApi('useapi-luma', { timing: TIMING, ...options }));
  const api = h.running.baseUrl('useapi-luma');
  const send: UseapiHarness['send'] = (path, init = {}) => {
    const { token = TOKENS.dev, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token !== null && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    return fetch(`${api}${path}`, {
      ...rest,
      method: rest.method ?? (json !== undefined ? 'POST' : 'GET'),
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
  return {
    ...h,
    api,
    send,
    async create(body = ASTRONAUT, init = {}) {
      const response = await send('/images', { json: body, token: init.token, headers: init.headers });
      const answer = (await response.json()) as ImagesCreated;
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    },
    async job(jobid, token) {
      const response = await send(`/jobs/${jobid}`, { token });
      const answer = (await response.json()) as ImageJob;
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    },
  };
}

/** The `{ error, code? }` body of a useapi.net error, with its status. */
export async function errorOf(response: Response): Promise<{ status: number; error: string; code?: number }> {
  const body = (await response.json()) as { error?: unknown; code?: unknown };
  expect(typeof body.error, JSON.stringify(body)).toBe('string');
  expect(Object.keys(body).filter((key) => key !== 'error' && key !== 'code')).toEqual([]);
  return { status: response.status, error: body.error as string, ...(body.code === undefined ? {} : { code: body.code as number }) };
}

/** A tiny real PNG (1x1). */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** POST /assets/{email} with a PNG, expecting 200; returns the assetRef. */
export async function upload(h: UseapiHarness, email = 'user@example.com', token?: string): Promise<string> {
  const response = await h.send(`/assets/${email}`, { method: 'POST', token, headers: { 'Content-Type': 'image/png' }, body: TINY_PNG });
  const body = (await response.json()) as { assetRef: string };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.assetRef;
}
