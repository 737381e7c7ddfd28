// One in-process mock for a test file, on a manual clock: jobs move only when a test moves it.
import { createServer } from 'node:net';

import type { ApiSlug, MockServer, RunningMockServer } from '@imagegen/mock-server';
import { ManualClock, createMockServer, serve } from '@imagegen/mock-server';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export interface MockHarness {
  mock: MockServer;
  clock: ManualClock;
  running: RunningMockServer;
  baseUrl(slug: ApiSlug): string;
}

/** Each job takes a second queued and a second running, on the manual clock. */
export const JOB_TIMING = { queuedMs: 1000, runningMs: 1000 } as const;

export function useMock(): MockHarness {
  const harness = {} as MockHarness;
  beforeAll(async () => {
    harness.clock = new ManualClock();
    harness.mock = createMockServer({ clock: harness.clock, timing: JOB_TIMING });
    harness.running = await serve(harness.mock);
    harness.baseUrl = (slug) => harness.running.baseUrl(slug);
  });
  afterEach(() => {
    expect(harness.mock.violations).toEqual([]);
    harness.mock.reset();
  });
  afterAll(async () => {
    await harness.running?.close({ force: true });
  });
  return harness;
}

/** What the mock holds for one API: how many jobs it created, and what they were charged. */
export function ledger(harness: MockHarness, slug: ApiSlug): { jobs: number; charged: number } {
  const { jobs } = harness.mock.state(slug);
  return { jobs: jobs.length, charged: jobs.reduce((sum, job) => sum + job.charged, 0) };
}

/** A `sleep` for `ImageWaitOptions` that moves the mock's clock instead of waiting. */
export function advancing(clock: ManualClock, stepMs = 1000) {
  return async (): Promise<void> => {
    clock.advance(stepMs);
  };
}

/** A loopback URL where nothing listens: a port that was free a moment ago. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
