import { describe, expect, it } from 'vitest';
import type * as ApiErrorModule from '../src/api-error.js';
import { ApiError, isApiError } from '../src/api-error.js';
import { JobFailedError } from '../src/job-failed-error.js';
import { JobTimeoutError } from '../src/job-timeout-error.js';

type VendorCode = 'rate_limit_error' | 'invalid_request_error';
class VendorError extends ApiError<VendorCode> {}

describe('ApiError', () => {
  it('keeps what the response said', () => {
    const body = { error: { type: 'rate_limit_error', message: 'Slow down' } };
    const cause = new Error('underlying');

    const error = new ApiError({
      status: 429,
      code: 'rate_limit_error',
      message: 'Slow down',
      body,
      headers: { 'Content-Type': 'application/json' },
      cause,
    });

    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ApiError', status: 429, code: 'rate_limit_error', message: 'Slow down', body, cause });
    expect(error.headers).toBeInstanceOf(Headers);
    expect(error.headers.get('content-type')).toBe('application/json');
  });

  it('keeps a numeric code as a number', () => {
    class NumericCodeError extends ApiError<number> {}
    const body = { error: 'All configured accounts are running at maximum capacity', code: 429 };

    const error = new NumericCodeError({ status: 429, code: body.code, message: body.error, body });

    expect(error).toMatchObject({ name: 'NumericCodeError', status: 429, code: 429, body });
    expect(isApiError(error)).toBe(true);
  });

  it('takes its name from the subclass', () => {
    const error = new VendorError({ status: 400, code: 'invalid_request_error', message: 'Bad prompt' });

    expect(error.name).toBe('VendorError');
    expect(error).toBeInstanceOf(ApiError);
    expect(String(error)).toBe('VendorError: Bad prompt');
  });

  it.each<{ headers: Record<string, string>; options: object; expected: number | undefined }>([
    { headers: { 'Retry-After': '7' }, options: {}, expected: 7_000 },
    { headers: { 'Retry-After': '0' }, options: {}, expected: 0 },
    { headers: { 'Retry-After': 'later' }, options: {}, expected: undefined },
    { headers: {}, options: {}, expected: undefined },
    { headers: { 'Retry-After': '7' }, options: { retryAfterMs: 1_500 }, expected: 1_500 },
    { headers: { 'Retry-After': '7' }, options: { retryAfterMs: undefined }, expected: undefined },
  ])('retryAfterMs is $expected for headers $headers and options $options', ({ headers, options, expected }) => {
    expect(new ApiError({ status: 429, message: 'x', headers, ...options }).retryAfterMs).toBe(expected);
  });

  it.each<{ headers: Record<string, string>; requestId: string | undefined; expected: string | undefined }>([
    { headers: { 'X-Request-Id': 'req_1' }, requestId: undefined, expected: 'req_1' },
    { headers: { 'Request-Id': 'req_2' }, requestId: undefined, expected: 'req_2' },
    { headers: { 'X-Request-Id': 'req_1', 'Request-Id': 'req_2' }, requestId: undefined, expected: 'req_1' },
    { headers: { 'X-Request-Id': 'req_1' }, requestId: 'req_body', expected: 'req_body' },
    { headers: {}, requestId: undefined, expected: undefined },
  ])('requestId is $expected for headers $headers', ({ headers, requestId, expected }) => {
    expect(new ApiError({ status: 500, message: 'x', headers, requestId }).requestId).toBe(expected);
  });
});

// A second instance of the module stands in for another installed copy of the package.
const otherCopyPath: string = '../src/api-error.js?other-copy';
const otherCopy = (await import(otherCopyPath)) as typeof ApiErrorModule;

describe('isApiError', () => {
  const fromOtherCopy = new otherCopy.ApiError({ status: 500, message: 'x' });

  it('sees the other copy as a different class', () => {
    expect(fromOtherCopy).not.toBeInstanceOf(ApiError);
  });

  it.each([
    { name: 'an ApiError', value: new ApiError({ status: 500, message: 'x' }), expected: true },
    { name: 'a subclass', value: new VendorError({ status: 429, message: 'x' }), expected: true },
    { name: 'an ApiError from another copy', value: fromOtherCopy, expected: true },
    { name: 'a plain Error', value: new Error('x'), expected: false },
    { name: 'a look-alike object', value: { status: 500, message: 'x' }, expected: false },
    { name: 'null', value: null, expected: false },
    { name: 'a string', value: 'ApiError', expected: false },
  ])('is $expected for $name', ({ value, expected }) => {
    expect(isApiError(value)).toBe(expected);
  });
});

describe('job errors', () => {
  it('JobFailedError carries the job and takes its name from the subclass', () => {
    class VendorJobFailedError extends JobFailedError<{ id: string }> {}
    const job = { id: 'job_1' };

    const error = new VendorJobFailedError(job, 'Moderation rejected the prompt');

    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ name: 'VendorJobFailedError', job, message: 'Moderation rejected the prompt' });
  });

  it('JobTimeoutError carries the last job and the time spent', () => {
    const error = new JobTimeoutError({ lastJob: { id: 'job_1' }, elapsedMs: 600_000, timeoutMs: 600_000 });

    expect(error).toMatchObject({ name: 'JobTimeoutError', lastJob: { id: 'job_1' }, elapsedMs: 600_000 });
    expect(error.message).toContain('600000 ms');
  });
});
