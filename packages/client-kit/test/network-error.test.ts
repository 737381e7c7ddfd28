import { describe, expect, it } from 'vitest';

import { NetworkError, withNetworkErrors } from '../src/index.js';

const failure = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
const failing = (error: unknown): typeof fetch => async () => {
  throw error;
};

describe('withNetworkErrors', () => {
  it('names the URL and the likely cause of a refused connection, which cannot have taken effect', async () => {
    const cause = failure('ECONNREFUSED');
    const fetchImpl = withNetworkErrors(failing(cause), { vendor: 'acme' });

    const error = await fetchImpl('http://127.0.0.1:4010/acme/v1/jobs?token=secret', { method: 'POST' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', vendor: 'acme', mayHaveTakenEffect: false, retryable: true, cause });
    expect((error as Error).message).toBe(
      'POST http://127.0.0.1:4010/acme/v1/jobs got no answer: connection refused (ECONNREFUSED): nothing listens at http://127.0.0.1:4010; is the server (or the mock: imagegen-mock) running there, and is baseUrl right?',
    );
  });

  it('says the host does not resolve', async () => {
    const error = await withNetworkErrors(failing(failure('ENOTFOUND')))(new Request('https://api.nowhere.test/v1')).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^GET https:\/\/api\.nowhere\.test\/v1 got no answer: the host api\.nowhere\.test does not resolve \(ENOTFOUND\)/);
  });

  it.each<{ method: string; headers: Record<string, string>; mayHaveTakenEffect: boolean; retryable: boolean }>([
    { method: 'POST', headers: {}, mayHaveTakenEffect: true, retryable: false },
    { method: 'POST', headers: { 'Idempotency-Key': 'k' }, mayHaveTakenEffect: true, retryable: true },
    { method: 'GET', headers: {}, mayHaveTakenEffect: false, retryable: true },
  ])('a dropped connection to $method $headers', async ({ method, headers, mayHaveTakenEffect, retryable }) => {
    const fetchImpl = withNetworkErrors(failing(failure('UND_ERR_SOCKET')), { idempotencyHeader: 'Idempotency-Key' });
    const error = await fetchImpl('https://api.test/jobs', { method, headers }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network', code: 'UND_ERR_SOCKET', mayHaveTakenEffect, retryable });
  });

  it('passes an abort through as it is', async () => {
    const abort = new DOMException('stopped', 'AbortError');
    await expect(withNetworkErrors(failing(abort))('https://api.test/')).rejects.toBe(abort);
  });

  it('answers are untouched', async () => {
    const response = new Response('ok', { status: 503 });
    await expect(withNetworkErrors(async () => response)('https://api.test/')).resolves.toBe(response);
  });
});
