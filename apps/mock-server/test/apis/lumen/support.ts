// Shared by the lumen-*.test.ts files: a mock with Lumen's base URL and bearer keys, its error
// envelope, and a webhook receiver that keeps the raw bytes it was sent.
import type { IncomingHttpHeaders } from 'node:http';

import type { EditRequest, GenerationRequest, InpaintRequest } from '@imagegen/lumen';
import express from 'express';
import { expect } from 'vitest';

import type { MockServerOptions } from '../../../src/index.js';
import type { CallInit, Harness } from '../../harness.js';
import { onlyApi, requester, startMock } from '../../harness.js';
import { listen } from '../../listen.js';

/** The dev keys by what they show (see LUMEN_DEV_KEYS). */
export const KEYS = {
  dev: 'sk-lumen-mock-dev',
  basic: 'sk-lumen-mock-basic',
  credits100: 'sk-lumen-mock-100-credits',
  noCredits: 'sk-lumen-mock-no-credits',
  revoked: 'sk-lumen-mock-revoked',
} as const;

/** Every job queues 1 s and runs 4 s unless a test says otherwise. */
export const TIMING = { queuedMs: 1000, runningMs: 4000 };

export const GENERATION: GenerationRequest = { model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill' };
export const EDIT: EditRequest = { model: 'gpt-image-2-low', prompt: 'snowy mountains behind', image_urls: ['https://your.img/cat.png'] };
export const INPAINT: InpaintRequest = { model: 'fal-flux-pro-fill', prompt: 'a corgi', image_urls: ['https://your.img/photo.png'], mask_url: 'https://your.img/mask.png' };

export interface LumenHarness extends Harness {
  /** Lumen's base URL at the mock, e.g. `http://127.0.0.1:40123/lumen`. */
  lumenBase: string;
  /** fetch below the Lumen base URL with `Authorization: Bearer <key>` (the dev key unless `key` says otherwise; null sends none). */
  lumen(path: string, init?: CallInit): Promise<Response>;
  /** Submits `body` to `path` (default: generations) and returns the new task's id, asserting the 200. */
  submit(body?: object, init?: { key?: string; path?: string; headers?: Record<string, string> }): Promise<string>;
  /** GET the task, asserting the 200. */
  task(id: string, key?: string): Promise<Record<string, unknown> & { status: string }>;
}

export async function startLumen(options: MockServerOptions = {}): Promise<LumenHarness> {
  const h = await startMock(onlyApi('lumen', { timing: TIMING, ...options }));
  const lumenBase = h.running.baseUrl('lumen');
  const lumen = requester(lumenBase, { header: 'Authorization', format: (key) => `Bearer ${key}`, defaultKey: KEYS.dev });
  return {
    ...h,
    lumenBase,
    lumen,
    async submit(body = GENERATION, init = {}) {
      const response = await lumen(init.path ?? '/v1/images/generations', { json: body, key: init.key, headers: init.headers });
      const answer = (await response.json()) as { id: string };
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer.id;
    },
    async task(id, key) {
      const response = await lumen(`/v1/images/generations/${id}`, { key });
      const answer = (await response.json()) as Record<string, unknown> & { status: string };
      expect(response.status, JSON.stringify(answer)).toBe(200);
      return answer;
    },
  };
}

/** The Lumen error envelope `{ error: { code, message } }`, asserting its shape. */
export async function lumenError(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  expect(body.error, JSON.stringify(body)).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  expect(Object.keys(body)).toEqual(['error']);
  return { status: response.status, ...(body.error as { code: string; message: string }) };
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  /** The bytes exactly as received. */
  body: Buffer;
}

/**
 * A webhook receiver on 127.0.0.1:0 answering its n-th request with `statuses[n]` (the last one
 * repeats), keeping every request's headers and raw body. Any request path is accepted.
 */
export async function hookReceiver(...statuses: number[]) {
  const hits: ReceivedHook[] = [];
  const app = express();
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.all('*', (req, res) => {
    hits.push({ headers: req.headers, body: req.body as Buffer });
    res.sendStatus(statuses[Math.min(hits.length, statuses.length) - 1] ?? 200);
  });
  const { url } = await listen(app);
  return { url: `${url}/callback`, origin: url, hits };
}
