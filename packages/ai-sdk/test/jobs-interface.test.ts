// The common job interface of the five clients, end to end against the in-process mock: one table,
// one code shape. Generate and download; every taxonomy kind each vendor can produce; a time-out
// that hands over the job, resumed by a fresh client without a second job (checked on the mock's
// ledger); cancellation where the vendor has it; the mock's own hints and a dead port reaching the
// error message.
import { JobTimeoutError, imageDimensions, isClientError, parseJobHandle, serializeJobHandle } from '@imagegen/client-kit';
import { rejectionOf } from '@imagegen/client-kit/testing';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';
import { describe, expect, it } from 'vitest';

import { JOB_TIMING, advancing, closedPortUrl, ledger, useMock } from './support.js';
import { VENDORS, prefer } from './vendors.js';

const harness = useMock();

describe.each(VENDORS)('$slug: the common job interface', (vendor) => {
  const jobsAt = (baseUrl = harness.baseUrl(vendor.slug)) => vendor.jobs({ baseUrl, apiKey: vendor.key, retry: false });
  const headers = (...extra: string[]) => prefer(vendor.basePrefer, ...extra);

  it('generates and downloads in one call: the same image shape from every vendor', async () => {
    const progress: string[] = [];
    const result = await jobsAt().generate(vendor.request, {
      headers: headers(),
      wait: { intervalMs: 1, sleep: advancing(harness.clock), onProgress: (status) => progress.push(status.state) },
    });

    expect(result.job.state).toBe('succeeded');
    expect(result.images).toHaveLength(vendor.imagesPerJob);
    for (const image of result.images) {
      expect(image.contentType).toMatch(/^image\/(png|jpeg)$/);
      // Width and height come from the bytes themselves, and they are the bytes' real size.
      expect(image.width).toBeGreaterThan(0);
      expect({ width: image.width, height: image.height }).toEqual(imageDimensions(image.bytes));
      expect(image.raw).toBeDefined();
    }
    expect(progress.at(-1)).toBe('succeeded');
    expect(parseJobHandle(result.handle)).toMatchObject({ vendor: vendor.slug, baseUrl: harness.baseUrl(vendor.slug) });
    expect(ledger(harness, vendor.slug).jobs).toBe(vendor.jobsPerSubmission);
  });

  it('submit, status, wait and download are separate steps too', async () => {
    const jobs = jobsAt();
    const pending = await jobs.submit(vendor.request, { headers: headers() });
    expect((await jobs.status(pending.handle)).state).toMatch(/^(queued|running)$/);

    harness.clock.advance(JOB_TIMING.queuedMs + JOB_TIMING.runningMs);
    const done = await jobs.wait(pending.handle);
    const images = await jobs.download(done);

    expect(done).toMatchObject({ state: 'succeeded', id: pending.id, handle: pending.handle });
    expect(images).toHaveLength(vendor.imagesPerJob);
  });

  const unknownHandle = async () => {
    let id = vendor.unknownId;
    if (typeof id === 'function') id = id((await jobsAt().submit(vendor.request, { headers: headers() })).id);
    return serializeJobHandle({ vendor: vendor.slug, baseUrl: harness.baseUrl(vendor.slug), id });
  };

  it.each(vendor.kinds)('fails as $kind (Prefer: $prefer), saying whether to retry and whether it took effect', async (kindCase) => {
    const jobs = jobsAt();
    const handle = kindCase.unknownJob ? await unknownHandle() : undefined;
    const before = ledger(harness, vendor.slug);
    const error = handle !== undefined
      ? await rejectionOf(jobs.status(handle))
      : await rejectionOf(
          jobs.generate(vendor.request, { headers: headers(kindCase.prefer ?? ''), wait: { intervalMs: 1, sleep: advancing(harness.clock) } }),
        );

    expect(isClientError(error), String(error)).toBe(true);
    expect(error).toMatchObject({ kind: kindCase.kind, vendor: vendor.slug });
    const failure = error as { retryable: boolean; mayHaveTakenEffect: boolean; handle?: string; code?: unknown; vendorCode?: unknown; retryAfterMs?: number };
    if (kindCase.vendorCode !== undefined) expect(failure.code ?? failure.vendorCode).toBe(kindCase.vendorCode);
    if (kindCase.kind === 'job_failed' || kindCase.kind === 'content_moderated') {
      if (failure.handle !== undefined) {
        // A job that ran and failed: it took effect, and its handle names it.
        expect(failure.mayHaveTakenEffect).toBe(true);
        expect(parseJobHandle(failure.handle).vendor).toBe(vendor.slug);
      }
    } else {
      // Refused before anything started (a 4xx), or an answer to a read: nothing to pay for.
      expect(failure.mayHaveTakenEffect).toBe(kindCase.kind === 'upstream' && !kindCase.unknownJob);
      expect(ledger(harness, vendor.slug)).toEqual(before);
    }
    expect(failure.retryable).toBe(kindCase.retryable ?? kindCase.kind === 'rate_limited');
    // The wait the server asked for (Retry-After: 1), where the vendor's answer states one.
    if (kindCase.retryAfterMs !== undefined) expect(failure.retryAfterMs).toBe(kindCase.retryAfterMs);
  });

  it('hands over the job on a time-out; a fresh client resumes it from the handle without a second job', async () => {
    const error = await rejectionOf(jobsAt().generate(vendor.request, { headers: headers(), wait: { timeoutMs: 50, intervalMs: 5 } }));
    expect(error).toBeInstanceOf(JobTimeoutError);
    const { handle } = error as JobTimeoutError;
    expect(handle).toMatch(/^imagegen-job:/);
    expect(handle).not.toContain(vendor.key);
    expect((error as Error).message).toContain(handle);
    const charged = ledger(harness, vendor.slug);
    expect(charged.jobs).toBe(vendor.jobsPerSubmission);

    // Another process: a new client, the string alone.
    harness.clock.advance(JOB_TIMING.queuedMs + JOB_TIMING.runningMs);
    const fresh = jobsAt();
    const done = await fresh.wait(handle!);
    const images = await fresh.download(done);

    expect(images).toHaveLength(vendor.imagesPerJob);
    expect(ledger(harness, vendor.slug)).toEqual(charged);
  });

  it(`${vendor.ownWait ? "the client's own wait hands over the job on a time-out too" : 'reports a time-out per image in its own waitForBatch'}`, async () => {
    const pending = await jobsAt().submit(vendor.request, { headers: headers() });
    if (!vendor.ownWait) {
      // useapi.net's waitForBatch resolves with each image's outcome, here a time-out for all four.
      const client = createUseapiLumaClient({ baseUrl: harness.baseUrl(vendor.slug), token: vendor.key, retry: false });
      const outcome = await client.waitForBatch({ jobid: pending.id, jobids: parseJobHandle(pending.handle).parts ?? [] }, { timeoutMs: 50, intervalMs: 5 });
      expect(outcome.images.map((image) => image.outcome)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
      return;
    }
    const error = await rejectionOf(vendor.ownWait({ baseUrl: harness.baseUrl(vendor.slug), apiKey: vendor.key, retry: false }, pending.id, { timeoutMs: 50, intervalMs: 5 }));

    expect(error).toMatchObject({ name: 'JobTimeoutError', kind: 'timeout', handle: pending.handle });
  });

  it('hands over the job when the caller aborts the wait', async () => {
    const abort = new AbortController();
    const waiting = jobsAt().generate(vendor.request, {
      headers: headers(),
      signal: abort.signal,
      wait: { intervalMs: 1, sleep: async () => abort.abort(new Error('user went away')) },
    });
    const error = await rejectionOf(waiting);

    expect(error).toMatchObject({ name: 'AbortError', kind: 'aborted', mayHaveTakenEffect: true });
    expect(parseJobHandle((error as { handle: string }).handle).vendor).toBe(vendor.slug);
  });

  it('refuses a handle of another base URL, so the key never follows a handle elsewhere', async () => {
    const foreign = serializeJobHandle({ vendor: vendor.slug, baseUrl: 'https://attacker.test', id: 'any-id' });
    await expect(jobsAt().status(foreign)).rejects.toThrow(/create a client with that baseUrl/);
  });

  it(`${vendor.cancels === true ? 'cancels a pending job' : 'has no cancel, as the vendor has none'}`, async () => {
    const jobs = jobsAt();
    expect(jobs.capabilities.cancel).toBe(vendor.cancels === true);
    if (!jobs.capabilities.cancel) {
      expect(jobs.cancel).toBeUndefined();
      return;
    }
    const pending = await jobs.submit(vendor.request, { headers: headers() });
    await jobs.cancel!(pending.handle);
    harness.clock.advance(JOB_TIMING.queuedMs + JOB_TIMING.runningMs);

    await expect(jobs.wait(pending.handle)).rejects.toMatchObject({ kind: 'job_failed', handle: pending.handle });
    expect(harness.mock.state(vendor.slug).jobs.every((job) => job.phase === 'cancelled')).toBe(true);
  });

  it("keeps the mock's own routing hint in the error of a wrong base URL", async () => {
    const error = await rejectionOf(jobsAt(`${harness.running.url}/not-mounted`).submit(vendor.request, { headers: headers() }));

    expect(error).toMatchObject({ kind: 'not_found', status: 404 });
    expect((error as Error).message).toContain('No API is mounted at /not-mounted');
  });

  it('names the URL and the likely cause when nothing listens there', async () => {
    const dead = await closedPortUrl();
    const error = await rejectionOf(jobsAt(`${dead}/api`).submit(vendor.request));

    expect(error).toMatchObject({ name: 'NetworkError', kind: 'network', code: 'ECONNREFUSED', mayHaveTakenEffect: false, retryable: true });
    expect((error as Error).message).toContain(`${dead}/api`);
    expect((error as Error).message).toMatch(/connection refused .*is the server \(or the mock: imagegen-mock\) running there/);
  });

  it('refuses a missing key at construction, naming its variable', () => {
    expect(() => vendor.jobs({ baseUrl: harness.baseUrl(vendor.slug), apiKey: undefined })).toThrow(
      new RegExp(`Is ${vendor.keyVariable} set in the environment\\?`),
    );
  });
});
