// `mock.state(slug)`: the read-only view of what each mounted API created and charged, for tests
// (issues 19, 20, 22) that check a client's effect without reaching into a vendor's closure.
import { describe, expect, it } from 'vitest';

import { startMock, validJob } from './harness.js';

describe('mock.state(slug)', () => {
  it('shows each job with its owner, phase and charge, and the balances after charges and refunds', async () => {
    const h = await startMock({
      timing: { queuedMs: 0, runningMs: 1_000 },
      apis: { lumixai: { keys: [{ key: 'k', workspace: 'ws' }], workspaces: [{ id: 'ws', credits: 12_000_000 }] } },
    });
    const ok = await h.call('/v1/images/jobs', { key: 'k', json: validJob });
    const failing = await h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'job-status=error' } });
    const ids = [((await ok.json()) as { id: string }).id, ((await failing.json()) as { id: string }).id];

    expect(h.mock.state('lumixai')).toEqual({
      jobs: ids.map((id) => ({ id, owner: 'ws', phase: 'running', charged: 5_000_000, createdAt: h.clock.now(), settledAt: h.clock.now() + 1_000 })),
      balances: { ws: 2_000_000 },
    });
    h.clock.advance(1_000);
    await expect.poll(() => h.mock.state('lumixai').balances.ws).toBe(7_000_000);
    expect(h.mock.state('lumixai').jobs.map((job) => job.phase)).toEqual(['succeeded', 'failed']);

    h.mock.reset();
    expect(h.mock.state('lumixai')).toEqual({ jobs: [], balances: { ws: 12_000_000 } });
  });

  it('is a snapshot: changing it changes nothing in the mock', async () => {
    const h = await startMock({ apis: { lumixai: { workspaces: [{ id: 'ws_no_credits', credits: 0 }] } } });
    const state = h.mock.state('lumixai') as { balances: Record<string, number> };
    state.balances.ws_no_credits = 1e12;
    expect(h.mock.state('lumixai').balances).toEqual({ ws_no_credits: 0 });
  });

  it('names the mounted APIs when asked for one that is not', async () => {
    const h = await startMock({ apis: { lumen: false } });
    expect(() => h.mock.state('lumen')).toThrow(/lumen is not mounted; mounted: lumixai, luma-agents/);
  });
});
