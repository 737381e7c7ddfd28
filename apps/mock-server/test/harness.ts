import { afterEach, expect } from 'vitest';

import { ManualClock, createMockServer, serve } from '../src/index.js';
import type { MockServer, MockServerOptions, RunningMockServer } from '../src/index.js';

export const DEV_KEY = 'air_live_mock_dev';

export interface Harness {
  mock: MockServer;
  running: RunningMockServer;
  base: string;
  clock: ManualClock;
  /** fetch against the LumixAI base URL with the dev key unless headers say otherwise. */
  call(path: string, init?: RequestInit & { key?: string | null; json?: unknown }): Promise<Response>;
}

const open: Harness[] = [];

// Every test in this package also proves the mock kept to its own spec.
afterEach(async () => {
  const harnesses = open.splice(0);
  for (const harness of harnesses) {
    expect(harness.mock.violations, 'responses that broke spec/lumixai/openapi.yaml').toEqual([]);
    await harness.running.close();
  }
});

/** An in-process mock on 127.0.0.1:0 with a manual clock, closed after the test. */
export async function startMock(options: MockServerOptions = {}): Promise<Harness> {
  const clock = new ManualClock(Date.UTC(2026, 4, 16, 12, 0, 0));
  const mock = createMockServer({ clock, ...options });
  const running = await serve(mock, { port: 0 });
  const base = mock.apis.some((api) => api.slug === 'lumixai') ? running.baseUrl('lumixai') : running.url;
  const harness: Harness = {
    mock,
    running,
    base,
    clock: (options.clock as ManualClock | undefined) ?? clock,
    call(path, init = {}) {
      const { key = DEV_KEY, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (key !== null && !headers.has('X-API-Key')) headers.set('X-API-Key', key);
      if (json !== undefined) headers.set('Content-Type', 'application/json');
      return fetch(`${base}${path}`, {
        ...rest,
        method: rest.method ?? (json !== undefined ? 'POST' : 'GET'),
        headers,
        body: json !== undefined ? JSON.stringify(json) : rest.body,
      });
    },
  };
  open.push(harness);
  return harness;
}

export const validJob = {
  model: 'imagen-nano-banana-2-flash',
  prompt: 'premium product render on glass, studio lighting',
  aspectRatio: '16:9',
  resolution: '2k',
} as const;

/** The LumixAI error envelope, asserting its shape. */
export async function errorOf(response: Response): Promise<{ type: string; message: string }> {
  const body = (await response.json()) as { error?: { type?: unknown; message?: unknown } };
  expect(body.error, JSON.stringify(body)).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  return body.error as { type: string; message: string };
}
