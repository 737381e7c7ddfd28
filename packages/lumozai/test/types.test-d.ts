import type { JobFailedError } from '@imagegen/client-kit';
import { describe, expectTypeOf, it } from 'vitest';

import type {
  CheckResult,
  LumozAIClient,
  LumozAIError,
  LumozAIErrorCode,
  LumozAIRequestFailedError,
  RATE_LIMIT_HEADERS,
  RequestStatus,
  RunParameters,
  RunResult,
  components,
  operations,
} from '../src/index.js';
import { LumozAIValidationError } from '../src/index.js';

type Schemas = components['schemas'];
type Resolved<K extends keyof LumozAIClient> = LumozAIClient[K] extends (...args: never[]) => Promise<infer R> ? R : never;
type JsonBody<Op extends keyof operations, S extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][S] extends { content: { 'application/json': infer B } } ? B : never;

declare const result: RunResult;
declare const error: unknown;

describe('run answers a discriminated union', () => {
  it('finished: true carries the output, finished: false only the request_id', () => {
    if (result.finished) {
      expectTypeOf(result.data).toEqualTypeOf<Schemas['RunCompletedData']>();
      expectTypeOf(result.data.output).toEqualTypeOf<string>();
    } else {
      expectTypeOf(result.data).toEqualTypeOf<Schemas['RunAcceptedData']>();
      // @ts-expect-error a run that needs more time has no output yet
      void result.data.output;
    }
  });

  it('its two data types are exactly the spec’s run answers', () => {
    expectTypeOf<RunResult['data']>().toEqualTypeOf<JsonBody<'runModel', 200>['data']>();
    expectTypeOf<Resolved<'run'>>().toEqualTypeOf<RunResult>();
  });
});

describe('check', () => {
  it('answers processing or completed; a failed run is an error, not a value', () => {
    expectTypeOf<Resolved<'check'>>().toEqualTypeOf<CheckResult>();
    expectTypeOf<CheckResult['status']>().toEqualTypeOf<'processing' | 'completed'>();
    expectTypeOf<CheckResult>().toEqualTypeOf<Schemas['CheckProgressResponse']['data']>();
    expectTypeOf<RequestStatus>().toEqualTypeOf<'processing' | 'completed' | 'failed'>();
  });

  it('waitForRequest answers the completed data, runAndDownload a finished run', () => {
    expectTypeOf<Resolved<'waitForRequest'>>().toEqualTypeOf<Schemas['CheckCompletedData']>();
    expectTypeOf<Resolved<'runAndDownload'>['result']>().toEqualTypeOf<
      Schemas['RunCompletedData'] | Schemas['CheckCompletedData']
    >();
  });

  it('takes a numeric request_id', () => {
    expectTypeOf<Parameters<LumozAIClient['check']>[0]>().toEqualTypeOf<number>();
  });
});

describe('run parameters', () => {
  it('types the documented parameters and accepts other models’ scalars', () => {
    expectTypeOf<RunParameters['model_id']>().toEqualTypeOf<string>();
    expectTypeOf<RunParameters['guidance_scale']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<RunParameters['num_inference_steps']>().toEqualTypeOf<number | undefined>();
    expectTypeOf({ model_id: 'flux', seed: 42, enhance: true, style: 'x' }).toExtend<RunParameters>();
  });

  it('refuses what a form cannot carry, and a missing model_id', () => {
    expectTypeOf<{ model_id: string; loras: string[] }>().not.toExtend<RunParameters>();
    expectTypeOf<{ model_id: string; guidance_scale: string }>().not.toExtend<RunParameters>();
    expectTypeOf<{ prompt: string }>().not.toExtend<RunParameters>();
  });
});

describe('errors', () => {
  it('LumozAIErrorCode is exactly the six documented codes', () => {
    expectTypeOf<LumozAIErrorCode>().toEqualTypeOf<
      | 'authentication_failed'
      | 'permission_denied'
      | 'model_not_found'
      | 'validation_error'
      | 'rate_limit_exceeded'
      | 'internal_server_error'
    >();
  });

  it('a validation error’s details are a field → messages map', () => {
    if (error instanceof LumozAIValidationError) {
      expectTypeOf(error.details).toEqualTypeOf<{ [field: string]: string[] }>();
      expectTypeOf(error.details).toEqualTypeOf<Schemas['ValidationErrorDetails']>();
      expectTypeOf(error.code).toEqualTypeOf<'validation_error'>();
      expectTypeOf(error).toExtend<LumozAIError>();
    }
  });

  it('other errors carry a code, the raw details and the rate limit', () => {
    expectTypeOf<LumozAIError['code']>().toEqualTypeOf<LumozAIErrorCode | undefined>();
    expectTypeOf<LumozAIError['details']>().toEqualTypeOf<unknown>();
    expectTypeOf<LumozAIError['rateLimit']>().toEqualTypeOf<{ limit: number; remaining: number; reset: number } | undefined>();
  });

  it('a failed run carries the failed data', () => {
    expectTypeOf<LumozAIRequestFailedError['job']>().toEqualTypeOf<Schemas['CheckFailedData']>();
    expectTypeOf<LumozAIRequestFailedError>().toExtend<JobFailedError<Schemas['CheckFailedData']>>();
    expectTypeOf<LumozAIRequestFailedError['requestId']>().toEqualTypeOf<number>();
  });
});

describe('rate-limit headers track the spec', () => {
  type HeaderName = (typeof RATE_LIMIT_HEADERS)[keyof typeof RATE_LIMIT_HEADERS];
  type NamedHeaders<H> = { [K in keyof H as string extends K ? never : K]-?: H[K] };
  /** The named headers of every documented response of every operation. */
  type HeadersOf<Op extends keyof operations> = {
    [S in keyof operations[Op]['responses']]: operations[Op]['responses'][S] extends { headers: infer H } ? keyof NamedHeaders<H> : never;
  }[keyof operations[Op]['responses']];

  it('RATE_LIMIT_HEADERS names exactly the spec’s headers', () => {
    expectTypeOf<HeaderName>().toEqualTypeOf<keyof components['headers']>();
  });

  it('every response of every operation declares all three', () => {
    expectTypeOf<HeadersOf<'runModel'>>().toEqualTypeOf<HeaderName>();
    expectTypeOf<HeadersOf<'checkRequest'>>().toEqualTypeOf<HeaderName>();
    type EveryResponseHasThem<Op extends keyof operations> = {
      [S in keyof operations[Op]['responses']]: operations[Op]['responses'][S] extends { headers: Record<HeaderName, number> } ? true : S;
    }[keyof operations[Op]['responses']];
    expectTypeOf<EveryResponseHasThem<'runModel'> | EveryResponseHasThem<'checkRequest'>>().toEqualTypeOf<true>();
  });
});
