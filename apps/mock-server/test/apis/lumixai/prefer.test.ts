import { describe, expect, it, vi } from 'vitest';

import { errorOf, startMock, validJob } from '../../harness.js';

describe('Prefer header: provoking failures without editing the server', () => {
  const operations = [
    { name: 'POST /v1/images/jobs', path: '/v1/images/jobs', json: validJob },
    { name: 'POST /v1/images/generations', path: '/v1/images/generations', json: validJob },
    { name: 'GET /v1/images/jobs/{id}', path: '/v1/images/jobs/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30' },
    { name: 'GET /v1/images/results/{id}/download', path: '/v1/images/results/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30/download' },
  ];

  it.each(operations)('Prefer: code=503 on $name answers service_unavailable', async ({ path, json }) => {
    const h = await startMock();
    const response = await h.call(path, { json, headers: { Prefer: 'code=503' } });
    expect(response.status).toBe(503);
    expect(await errorOf(response)).toMatchObject({ type: 'service_unavailable', message: expect.stringMatching(/Prefer/) });
  });

  it('Prefer: code=429 carries Retry-After, like the real limit', async () => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'code=429' } });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('rejects a status the operation does not document, listing those it does', async () => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'code=418' } });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/documented: 202, 400, 401, 402, 403, 409, 429, 503/);
  });

  it('rejects it in the vendor envelope even where the spec documents no 400 (the public catalog)', async () => {
    const h = await startMock();
    const response = await h.call('/v1/models', { key: null, headers: { Prefer: 'code=503' } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ type: 'validation_error', message: expect.stringMatching(/documented: 200$/) });
  });

  it('creates no job and charges nothing for a simulated failure', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'code=503' } })).status).toBe(503);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
  });

  it('Prefer: job-status=error makes the job end in error with a message', async () => {
    const h = await startMock({ timing: { queuedMs: 0, runningMs: 1000 } });
    const created = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'job-status=error, job-error="upstream refused"' } });
    const { id } = (await created.json()) as { id: string };
    h.clock.advance(1000);
    const job = (await (await h.call(`/v1/images/jobs/${id}`)).json()) as Record<string, unknown>;
    expect(job).toMatchObject({ status: 'error', error: 'upstream refused', completed: expect.any(Number) });
    expect(job.data).toBeUndefined();
    expect((await h.call(`/v1/images/results/${id}/download`)).status).toBe(404);
  });

  it('a synchronous generation whose job fails answers 503 service_unavailable', async () => {
    const h = await startMock();
    const response = await h.call('/v1/images/generations', { json: validJob, headers: { Prefer: 'job-status=error' } });
    expect(response.status).toBe(503);
    expect((await errorOf(response)).type).toBe('service_unavailable');
  });
});

// Issue 15 row 8: a code LumixAI's failed jobs cannot carry was accepted and ignored, and a
// misspelt preference passed unnoticed.
describe('Prefer: what cannot take effect is refused or reported', () => {
  it('job-error-code is refused: a LumixAI failed job carries only a message', async () => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'job-status=error, job-error-code=anything' } });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(/job-error-code is not supported: this API's failed jobs carry no code/);
  });

  it('Preference-Applied (RFC 7240) names what took effect; a preference nothing knows is logged', async () => {
    const lines: string[] = [];
    // Through the mock's own log, never the console: `--quiet` and an in-process mock without `log` stay silent.
    const warnings = vi.spyOn(console, 'warn');
    try {
      const h = await startMock({ log: (line) => lines.push(line) });
      const response = await h.call('/v1/images/jobs', { json: validJob, headers: { Prefer: 'job-status=error, jobstatus=done, job-error="GPU melted"' } });
      expect(response.status).toBe(202);
      expect(response.headers.get('preference-applied')).toBe('job-status=error, job-error="GPU melted"');
      const plain = await h.call('/v1/images/jobs', { json: validJob });
      expect(plain.headers.get('preference-applied')).toBeNull();
      await expect.poll(() => lines.filter((line) => line.startsWith('POST'))).toEqual([
        expect.stringMatching(/ 202 \d+\.\dms {2}\(Prefer jobstatus ignored: no preference of the mock or of lumixai has that name\)$/),
        expect.stringMatching(/ 202 \d+\.\dms$/),
      ]);
      expect(warnings).not.toHaveBeenCalled();
    } finally {
      warnings.mockRestore();
    }
  });
});
