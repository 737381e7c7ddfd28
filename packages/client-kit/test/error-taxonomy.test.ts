import { describe, expect, it } from 'vitest';

import {
  ApiError,
  ClientError,
  DownloadError,
  JobFailedError,
  JobTimeoutError,
  errorKindOfStatus,
  isClientError,
  messageFromBody,
  unexpectedAnswerMessage,
} from '../src/index.js';

describe('errorKindOfStatus', () => {
  it.each([
    [400, 'validation'],
    [401, 'authentication'],
    [402, 'insufficient_credits'],
    [403, 'permission'],
    [404, 'not_found'],
    [409, 'validation'],
    [413, 'validation'],
    [422, 'validation'],
    [429, 'rate_limited'],
    [500, 'upstream'],
    [502, 'upstream'],
    [596, 'upstream'],
  ] as const)('HTTP %i is %s', (status, kind) => {
    expect(errorKindOfStatus(status)).toBe(kind);
  });
});

describe('ApiError in the taxonomy', () => {
  it.each([
    { status: 429, method: 'POST', idempotent: false, retryable: true, mayHaveTakenEffect: false },
    { status: 400, method: 'POST', idempotent: false, retryable: false, mayHaveTakenEffect: false },
    // A 5xx to a POST may have come after the job was created: repeat it only with an idempotency key.
    { status: 503, method: 'POST', idempotent: false, retryable: false, mayHaveTakenEffect: true },
    { status: 503, method: 'POST', idempotent: true, retryable: true, mayHaveTakenEffect: true },
    { status: 502, method: 'GET', idempotent: false, retryable: true, mayHaveTakenEffect: false },
    { status: 500, method: undefined, idempotent: false, retryable: false, mayHaveTakenEffect: true },
  ])('HTTP $status to $method (idempotent: $idempotent)', ({ status, method, idempotent, retryable, mayHaveTakenEffect }) => {
    const error = new ApiError({ status, message: 'x', method, idempotent, vendor: 'acme' });

    expect(error).toBeInstanceOf(ClientError);
    expect(isClientError(error)).toBe(true);
    expect(error).toMatchObject({ kind: errorKindOfStatus(status), retryable, mayHaveTakenEffect, vendor: 'acme' });
  });

  it('takes a vendor kind over the status, and an explicit mayHaveTakenEffect', () => {
    const error = new ApiError({ status: 596, message: 'session expired', kind: 'authentication', mayHaveTakenEffect: false, method: 'POST' });
    expect(error).toMatchObject({ kind: 'authentication', retryable: false, mayHaveTakenEffect: false });
  });

  it('recognises a ClientError of another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@imagegen/client-kit/ClientError')]: true });
    expect(isClientError(foreign)).toBe(true);
    expect(isClientError(new Error('x'))).toBe(false);
  });
});

describe('job errors', () => {
  it('a failed job took effect, carries the vendor code and handle, and is not retryable by default', () => {
    const error = new JobFailedError({ id: 'j' }, 'failed', { vendorCode: 'content_moderated', kind: 'content_moderated', handle: 'h', vendor: 'v' });
    expect(error).toMatchObject({ kind: 'content_moderated', vendorCode: 'content_moderated', handle: 'h', mayHaveTakenEffect: true, retryable: false });
  });

  it('a time-out may be waited out again, and its message names the handle', () => {
    const error = new JobTimeoutError({ lastJob: undefined, elapsedMs: 10, timeoutMs: 10, handle: 'imagegen-job:v:abc' });
    expect(error).toMatchObject({ kind: 'timeout', retryable: true, mayHaveTakenEffect: true, handle: 'imagegen-job:v:abc' });
    expect(error.message).toContain('imagegen-job:v:abc');
  });

  it('a refused download is classified by its status', () => {
    expect(new DownloadError({ status: 403, url: 'https://s.test/a?sig=1' })).toMatchObject({ kind: 'permission', retryable: false, url: 'https://s.test/a' });
    expect(new DownloadError({ status: 503, url: 'https://s.test/a' })).toMatchObject({ kind: 'upstream', retryable: true });
  });
});

describe('messageFromBody', () => {
  it.each([
    [{ error: 'No API is mounted at /x; GET / lists them' }, 'No API is mounted at /x; GET / lists them'],
    [{ error: { message: 'nested' } }, 'nested'],
    [{ detail: 'why' }, 'why'],
    [{ message: 'plain' }, 'plain'],
    ['Bad Gateway', 'Bad Gateway'],
    ['<html>oops</html>', undefined],
    [null, undefined],
    [{ error: 7 }, undefined],
  ])('%j → %j', (body, message) => {
    expect(messageFromBody(body)).toBe(message);
  });

  it('unexpectedAnswerMessage keeps the words, or names what was missing', () => {
    expect(unexpectedAnswerMessage('Acme', 404, { error: 'hint' }, 'an envelope')).toBe('Acme answered HTTP 404: hint');
    expect(unexpectedAnswerMessage('Acme', 500, null, 'an envelope')).toBe('Acme answered HTTP 500 without an envelope');
  });
});
