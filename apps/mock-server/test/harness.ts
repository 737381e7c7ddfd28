import { expect } from 'vitest';

import { API_SLUGS, ManualClock, createMockServer, serve } from '../src/index.js';
import type { ApiSlug, MockServer, MockServerOptions, RunningMockServer } from '../src/index.js';

export const DEV_KEY = 'air_live_mock_dev';

export interface Harness {
  mock: MockServer;
  running: RunningMockServer;
  base: string;
  clock: ManualClock;
  /** fetch against the LumixAI base URL with the dev key unless headers say otherwise. */
  call(path: string, init?: CallInit): Promise<Response>;
}

const open: Harness[] = [];

/**
 * Closes every mock {@link startMock} opened, after checking it kept to its own spec (every test in
 * this package also proves that). Called after each test by test/setup.ts, not by a hook here: the
 * files share one module graph (isolate: false), so a hook registered when this module is first
 * imported would run in the first file only.
 */
export async function closeOpenMocks(): Promise<void> {
  const harnesses = open.splice(0);
  for (const harness of harnesses) {
    expect(harness.mock.violations, 'responses that broke spec/lumixai/openapi.yaml').toEqual([]);
    // No test sends after its end: idle keep-alive connections need no grace (shutdown.test.ts
    // closes with the default).
    await harness.running.close({ idleGraceMs: 0 });
  }
}

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
    call: requester(base, { header: 'X-API-Key', defaultKey: DEV_KEY }),
  };
  open.push(harness);
  return harness;
}

/**
 * `options` with only `slug` mounted (unless `options.apis` mounts others): a vendor's own tests
 * call no other API, and building the other four for every test was a share of the suite's time.
 */
export function onlyApi(slug: ApiSlug, options: MockServerOptions = {}): MockServerOptions {
  const others = Object.fromEntries(API_SLUGS.filter((other) => other !== slug).map((other) => [other, false]));
  return { ...options, apis: { ...others, ...options.apis } };
}

/** A request made through {@link requester}: `key` null sends no credential; `json` is sent as the body. */
export type CallInit = RequestInit & { key?: string | null; json?: unknown };

/**
 * fetch below `base` with the credential in `header` (written by `format`, e.g. `Bearer <key>`):
 * `defaultKey` unless `key` says otherwise; a `json` body is a POST unless `method` says otherwise.
 */
export function requester(base: string, credential: { header: string; defaultKey: string; format?: (key: string) => string }) {
  const { header, defaultKey, format = (key: string) => key } = credential;
  return (path: string, init: CallInit = {}): Promise<Response> => {
    const { key = defaultKey, json, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== null && !headers.has(header)) headers.set(header, format(key));
    if (json !== undefined) headers.set('Content-Type', 'application/json');
    return fetch(`${base}${path}`, {
      ...rest,
      method: rest.method ?? (json !== undefined ? 'POST' : 'GET'),
      headers,
      body: json !== undefined ? JSON.stringify(json) : rest.body,
    });
  };
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
