import { describe, expect, it } from 'vitest';

import { ManualClock } from '../src/core/clock.js';
import { JobStore } from '../src/core/job-store.js';
import type { Job, JobPhase } from '../src/core/job-store.js';

const T0 = Date.UTC(2026, 0, 1);
const timing = { queuedMs: 1000, runningMs: 4000 };

function store() {
  const clock = new ManualClock(T0);
  const jobs = new JobStore<string>(clock, { resultRetentionMs: 10_000, jobRetentionMs: 20_000 });
  const created: string[] = [];
  const settled: Array<[string, JobPhase]> = [];
  jobs.onCreated((job) => created.push(job.id));
  jobs.onSettled((job) => settled.push([job.id, jobs.phase(job)]));
  return { clock, jobs, created, settled };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('JobStore: phase and progress are functions of the clock', () => {
  it.each([
    { at: 0, phase: 'queued', progress: 0 },
    { at: 999, phase: 'queued', progress: 0 },
    { at: 1000, phase: 'running', progress: 0 },
    { at: 3000, phase: 'running', progress: 50 },
    { at: 4999, phase: 'running', progress: 99 },
    { at: 5000, phase: 'succeeded', progress: 100 },
  ])('$at ms after creation: $phase, $progress%', ({ at, phase, progress }) => {
    const { clock, jobs } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing });
    clock.advance(at);
    expect(jobs.phase(job)).toBe(phase);
    expect(jobs.progress(job)).toBe(progress);
  });

  it.each([
    { outcome: 'failed' as const, failure: { code: 'nsfw', message: 'moderated' }, expected: { code: 'nsfw', message: 'moderated' } },
    { outcome: 'failed' as const, failure: undefined, expected: { message: 'The job failed' } },
    { outcome: 'cancelled' as const, failure: undefined, expected: undefined },
  ])('settles as $outcome with failure $expected', ({ outcome, failure, expected }) => {
    const { clock, jobs } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing, outcome, failure });
    clock.advance(5000);
    expect(jobs.phase(job)).toBe(outcome);
    expect(job.failure).toEqual(expected);
    expect(jobs.progress(job)).toBe(99);
    expect(jobs.resultsAvailable(job)).toBe(false);
  });
});

describe('JobStore: listeners', () => {
  it('tells creation listeners at once and settle listeners when the clock reaches the settle time', async () => {
    const { clock, jobs, created, settled } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing });
    expect(created).toEqual([job.id]);
    await flush();
    expect(settled).toEqual([]);
    clock.advance(5000);
    await flush();
    expect(settled).toEqual([[job.id, 'succeeded']]);
  });

  it('cancel() before settling: cancelled from now on, listeners told at once and never again', async () => {
    const { clock, jobs, settled } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing, outcome: 'failed', failure: { message: 'would fail' } });
    clock.advance(2000);
    expect(jobs.cancel(job)).toBe(true);
    expect(jobs.phase(job)).toBe('cancelled');
    expect(job.failure).toBeUndefined();
    expect(jobs.progress(job)).toBe(25);
    expect(settled).toEqual([[job.id, 'cancelled']]);
    clock.advance(10_000);
    await flush();
    expect(settled).toHaveLength(1);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('cancel() after settling changes nothing', async () => {
    const { clock, jobs, settled } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing });
    clock.advance(5000);
    await flush();
    expect(jobs.cancel(job)).toBe(false);
    expect(jobs.phase(job)).toBe('succeeded');
    expect(settled).toEqual([[job.id, 'succeeded']]);
  });

  it('clear() cancels pending settle notifications: a job of before a reset never settles after it', async () => {
    const { clock, jobs, settled } = store();
    jobs.create({ owner: 'w', input: 'x', timing });
    expect(clock.pendingSleeps).toBe(1);
    jobs.clear();
    expect(clock.pendingSleeps).toBe(0);
    clock.advance(10_000);
    await flush();
    expect(settled).toEqual([]);
    expect(jobs.size).toBe(0);
  });

  it('forgets a job after its retention and hides it from other owners', () => {
    const { clock, jobs } = store();
    const job: Job<string> = jobs.create({ owner: 'w', input: 'x', timing });
    expect(jobs.get(job.id, 'other')).toBeUndefined();
    clock.advance(5000 + 19_999);
    expect(jobs.get(job.id, 'w')).toBe(job);
    clock.advance(1);
    expect(jobs.get(job.id, 'w')).toBeUndefined();
  });

  it('find() sees a job whoever owns it, for as long as get() would', () => {
    const { clock, jobs } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing });
    expect([jobs.find(job.id), jobs.find('no-such-id')]).toEqual([job, undefined]);
    clock.advance(5000 + 20_000);
    expect(jobs.find(job.id)).toBeUndefined();
  });

  it('delete() forgets a settled job at once and refuses one still queued or running', () => {
    const { clock, jobs } = store();
    const job = jobs.create({ owner: 'w', input: 'x', timing });
    for (const step of [0, 1000]) {
      clock.advance(step);
      expect(jobs.delete(job), `at +${step} ms`).toBe(false);
      expect(jobs.get(job.id, 'w')).toBe(job);
    }
    clock.advance(4000);
    expect(jobs.delete(job)).toBe(true);
    expect(jobs.get(job.id, 'w')).toBeUndefined();
    expect(jobs.delete(job), 'a second delete').toBe(false);
  });
});
