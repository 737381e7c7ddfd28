import type { JobFailedError } from '@imagegen/client-kit';
import { describe, expectTypeOf, it } from 'vitest';

import type {
  DoneImageJob,
  IDEMPOTENT_POST_PATHS,
  IdempotentPostPath,
  LumixAIClient,
  LumixAIError,
  LumixAIErrorType,
  LumixAIJobFailedError,
  components,
  operations,
} from '../src/index.js';
import { createLumixAIClient } from '../src/index.js';

type Schemas = components['schemas'];
type JsonBody<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: { 'application/json': infer B } } ? B : never;

declare const client: LumixAIClient;
/** What a method's promise resolves to. */
type Resolved<M extends keyof LumixAIClient> = LumixAIClient[M] extends (...args: never[]) => Promise<infer R> ? R : never;
const model = 'imagen-nano-banana-2-flash';
const prompt = 'premium product render on glass';

describe('raw client: paths, methods and parameters come from the spec', () => {
  it('rejects a path the spec does not define', () => {
    // An init is passed so that the error is about the path: with the URL alone, openapi-fetch makes
    // init required for an unknown path and tsc reports "Expected 2 arguments" instead.
    // @ts-expect-error '/v1/unknown' is not a path of the spec
    void client.raw.GET('/v1/unknown', {});
    // @ts-expect-error the spec has no GET on /v1/images/jobs (it is POST-only)
    void client.raw.GET('/v1/images/jobs', {});
    // @ts-expect-error the spec has no POST on /v1/models
    void client.raw.POST('/v1/models', {});
    expectTypeOf(client.raw.GET).toBeFunction();
  });

  it('requires the path parameter of /v1/images/jobs/{id}', () => {
    // @ts-expect-error init is required: it must carry params.path.id
    void client.raw.GET('/v1/images/jobs/{id}');
    // @ts-expect-error params is required
    void client.raw.GET('/v1/images/jobs/{id}', {});
    // @ts-expect-error params.path is required
    void client.raw.GET('/v1/images/jobs/{id}', { params: {} });
    // @ts-expect-error id is a string
    void client.raw.GET('/v1/images/jobs/{id}', { params: { path: { id: 42 } } });
    void client.raw.GET('/v1/images/jobs/{id}', { params: { path: { id: 'job' } } });
    expectTypeOf(client.raw.GET).toBeFunction();
  });

  it('types the Idempotency-Key header', () => {
    // @ts-expect-error the header is a string
    void client.raw.POST('/v1/images/jobs', { body: { model, prompt }, params: { header: { 'Idempotency-Key': 1 } } });
    void client.raw.POST('/v1/images/jobs', { body: { model, prompt }, params: { header: { 'Idempotency-Key': 'k' } } });
    expectTypeOf(client.raw.POST).toBeFunction();
  });

  it('types data as the success schema and error as the documented error bodies', async () => {
    const models = await client.raw.GET('/v1/models');
    expectTypeOf(models.data).toEqualTypeOf<Schemas['ModelList'] | undefined>();

    const polled = await client.raw.GET('/v1/images/jobs/{id}', { params: { path: { id: 'job' } } });
    expectTypeOf(polled.data).toEqualTypeOf<Schemas['ImageJobStatusResponse'] | undefined>();

    const created = await client.raw.POST('/v1/images/jobs', { body: { model, prompt } });
    expectTypeOf(created.data).toEqualTypeOf<Schemas['ImageJobCreateResponse'] | undefined>();
    expectTypeOf(created.error).toEqualTypeOf<
      | Schemas['ValidationErrorBody']
      | Schemas['AuthenticationErrorBody']
      | Schemas['InsufficientCreditsErrorBody']
      | Schemas['PermissionDeniedErrorBody']
      | Schemas['IdempotencyConflictErrorBody']
      | Schemas['RateLimitErrorBody']
      | Schemas['ServiceUnavailableErrorBody']
      | undefined
    >();
  });
});

describe('request bodies follow ImageGenerationRequest', () => {
  it('accepts every documented field', () => {
    void client.createJob({
      model,
      prompt,
      aspectRatio: '21:9',
      resolution: '4k',
      references: [{ image: 'data:image/png;base64,AAAA', label: 'img1' }],
      spaceId: '3b9e4f7a-2c1d-4e8f-9a6b-5d0c7e1f2a3b',
      timeoutMs: 120_000,
      seed: 42,
    });
    expectTypeOf(client.createJob).parameter(0).toEqualTypeOf<Schemas['ImageGenerationRequest']>();
    expectTypeOf(client.generate).parameter(0).toEqualTypeOf<Schemas['ImageGenerationRequest']>();
  });

  it('rejects a wrong field type', () => {
    // @ts-expect-error '7:3' is not one of the documented aspect ratios
    void client.createJob({ model, prompt, aspectRatio: '7:3' });
    // @ts-expect-error seed is an integer
    void client.createJob({ model, prompt, seed: 'x' });
    // @ts-expect-error '8k' is not a documented resolution
    void client.generate({ model, prompt, resolution: '8k' });
    // @ts-expect-error a reference needs its image
    void client.generate({ model, prompt, references: [{ label: 'img1' }] });
    expectTypeOf(client.createJob).toBeFunction();
  });

  it('rejects a missing required field', () => {
    // @ts-expect-error prompt is required
    void client.createJob({ model });
    // @ts-expect-error model is required
    void client.generate({ prompt });
    expectTypeOf(client.generate).toBeFunction();
  });

  it('rejects a field the spec does not define (additionalProperties: false)', () => {
    // @ts-expect-error the spec has no `n` field
    void client.createJob({ model, prompt, n: 2 });
    expectTypeOf(client.createJob).toBeFunction();
  });

  it('takes the idempotency key as a string', () => {
    // @ts-expect-error idempotencyKey is a string
    void client.createJob({ model, prompt }, { idempotencyKey: 7 });
    expectTypeOf(client.createJob).parameter(1).toEqualTypeOf<
      { idempotencyKey?: string | undefined; signal?: AbortSignal | undefined; headers?: Record<string, string> | undefined } | undefined
    >();
  });

  it('requires baseUrl', () => {
    // @ts-expect-error baseUrl is required
    createLumixAIClient({ apiKey: 'key' });
    expectTypeOf(createLumixAIClient).returns.toEqualTypeOf<LumixAIClient>();
  });
});

describe('methods return the spec schemas', () => {
  it('listModels returns the models of ModelList', () => {
    expectTypeOf<Resolved<'listModels'>>().toEqualTypeOf<Schemas['Model'][]>();
    expectTypeOf<Resolved<'listModels'>>().toEqualTypeOf<JsonBody<'listModels', 200>['data']>();
  });

  it('createJob returns ImageJobCreateResponse', () => {
    expectTypeOf<Resolved<'createJob'>>().toEqualTypeOf<Schemas['ImageJobCreateResponse']>();
    expectTypeOf<Resolved<'createJob'>>().toEqualTypeOf<JsonBody<'createImageJob', 202>>();
  });

  it('getJob returns ImageJobStatusResponse', () => {
    expectTypeOf<Resolved<'getJob'>>().toEqualTypeOf<Schemas['ImageJobStatusResponse']>();
    expectTypeOf<Resolved<'getJob'>>().toEqualTypeOf<JsonBody<'getImageJob', 200>>();
  });

  it('generate returns ImageGenerationResponse', () => {
    expectTypeOf<Resolved<'generate'>>().toEqualTypeOf<Schemas['ImageGenerationResponse']>();
    expectTypeOf<Resolved<'generate'>>().toEqualTypeOf<JsonBody<'generateImage', 200>>();
  });

  it('waitForJob returns a done ImageJobStatusResponse whose data is present', () => {
    expectTypeOf<Resolved<'waitForJob'>>().toEqualTypeOf<DoneImageJob>();
    expectTypeOf<DoneImageJob>().toExtend<Schemas['ImageJobStatusResponse']>();
    expectTypeOf<DoneImageJob['status']>().toEqualTypeOf<'done'>();
    expectTypeOf<DoneImageJob['data']>().toEqualTypeOf<Schemas['ImageResult'][]>();
  });

  it('download returns bytes, a content type and maybe a file name', () => {
    expectTypeOf<Resolved<'download'>>().toEqualTypeOf<{
      bytes: Uint8Array;
      contentType: string;
      filename: string | undefined;
    }>();
    expectTypeOf<Resolved<'generateAndDownload'>['job']>().toEqualTypeOf<DoneImageJob>();
    expectTypeOf<Resolved<'generateAndDownload'>['image']>().toEqualTypeOf<Resolved<'download'>>();
  });
});

describe('derived unions track the spec exactly', () => {
  it('IdempotentPostPath is exactly IDEMPOTENT_POST_PATHS', () => {
    expectTypeOf<IdempotentPostPath>().toEqualTypeOf<(typeof IDEMPOTENT_POST_PATHS)[number]>();
    expectTypeOf<IdempotentPostPath>().toEqualTypeOf<'/v1/images/jobs' | '/v1/images/generations'>();
  });

  it('LumixAIErrorType is exactly the eight documented error types', () => {
    expectTypeOf<LumixAIErrorType>().toEqualTypeOf<
      | 'validation_error'
      | 'authentication_error'
      | 'insufficient_credits_error'
      | 'permission_denied_error'
      | 'resource_not_found_error'
      | 'idempotency_conflict'
      | 'rate_limit_error'
      | 'service_unavailable'
    >();
  });

  it('LumixAIError carries a LumixAIErrorType code', () => {
    expectTypeOf<LumixAIError['code']>().toEqualTypeOf<LumixAIErrorType | undefined>();
    expectTypeOf<LumixAIError['status']>().toEqualTypeOf<number>();
    expectTypeOf<LumixAIError['retryAfterMs']>().toEqualTypeOf<number | undefined>();
  });

  it('LumixAIJobFailedError carries the job', () => {
    expectTypeOf<LumixAIJobFailedError['job']>().toEqualTypeOf<Schemas['ImageJobStatusResponse']>();
    expectTypeOf<LumixAIJobFailedError>().toExtend<JobFailedError<Schemas['ImageJobStatusResponse']>>();
  });
});
