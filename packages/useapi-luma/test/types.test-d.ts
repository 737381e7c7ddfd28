import type { ApiError } from '@imagegen/client-kit';
import { describe, expectTypeOf, it } from 'vitest';

import type {
  ASSET_CONTENT_TYPES,
  AssetContentType,
  BatchOutcome,
  ImageBatchCallback,
  ImageOutcome,
  TERMINAL_JOB_STATUSES,
  TerminalJobStatus,
  UseapiLumaClient,
  UseapiLumaDocumentedErrorCode,
  UseapiLumaError,
  UseapiLumaErrorBody,
  components,
  operations,
} from '../src/index.js';
import { createUseapiLumaClient } from '../src/index.js';

type Schemas = components['schemas'];
type JsonBody<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: { 'application/json': infer B } } ? B : never;
type Resolved<M extends keyof UseapiLumaClient> = UseapiLumaClient[M] extends (...args: never[]) => Promise<infer R> ? R : never;

declare const client: UseapiLumaClient;
const prompt = 'A photorealistic portrait of an astronaut on Mars';
const jobid = 'j0326140530123456789i-u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890-bot:luma';

describe('raw client: paths, methods and parameters come from the spec', () => {
  it('rejects a path or method the spec does not define', () => {
    // @ts-expect-error '/videos' is not a path of this spec
    void client.raw.POST('/videos', {});
    // @ts-expect-error the spec has no GET on /images
    void client.raw.GET('/images', {});
    // @ts-expect-error the spec has no PUT on /jobs/{jobid}
    void client.raw.PUT('/jobs/{jobid}', {});
    expectTypeOf(client.raw.DELETE).toBeFunction();
  });

  it('requires the path parameters', () => {
    // @ts-expect-error params.path.jobid is required
    void client.raw.GET('/jobs/{jobid}', { params: { path: {} } });
    // @ts-expect-error params.path.email is required
    void client.raw.POST('/assets/{email}', { params: { path: {} }, body: '' });
    void client.raw.DELETE('/jobs/{jobid}', { params: { path: { jobid } } });
    expectTypeOf(client.raw.GET).toBeFunction();
  });

  it('types data as the success schema and error as the documented error bodies', async () => {
    const created = await client.raw.POST('/images', { body: { prompt } });
    expectTypeOf(created.data).toEqualTypeOf<Schemas['ImagesCreated'] | undefined>();
    expectTypeOf(created.error).toEqualTypeOf<
      Schemas['ErrorBody'] | Schemas['ModerationErrorBody'] | Schemas['CapacityErrorBody'] | undefined
    >();
    const deleted = await client.raw.DELETE('/jobs/{jobid}', { params: { path: { jobid } } });
    expectTypeOf(deleted.data).toEqualTypeOf<Schemas['JobDeleted'] | undefined>();
  });
});

describe('request bodies follow ImagesRequest', () => {
  it('accepts every documented field, or a FormData', () => {
    void client.createImages({
      prompt,
      email: 'user@example.com',
      model: 'image-v2',
      resolution: '720p',
      aspect_ratio: '21:9',
      imageRef1: 'u12345-email:user@example.com:a1b2c3d4-e5f6-7890-abcd-ef1234567890',
      imageRef2: 'r2',
      imageRef3: 'r3',
      imageRef4: 'r4',
      replyUrl: 'https://hooks.example.net/useapi/luma',
      replyRef: 'order-1234',
    });
    void client.createImages(new FormData());
    expectTypeOf(client.createImages).parameter(0).toEqualTypeOf<Schemas['ImagesRequest'] | FormData>();
  });

  it('rejects wrong values, a missing prompt and unknown fields', () => {
    // @ts-expect-error 'photon-v1' is not a documented model
    void client.createImages({ prompt, model: 'photon-v1' });
    // @ts-expect-error '4k' is not a documented resolution
    void client.createImages({ prompt, resolution: '4k' });
    // @ts-expect-error '2:3' is not a documented aspect ratio
    void client.createImages({ prompt, aspect_ratio: '2:3' });
    // @ts-expect-error prompt is required
    void client.createImages({ model: 'photon-v2' });
    // @ts-expect-error imageRef5 does not exist (additionalProperties: false)
    void client.createImages({ prompt, imageRef5: 'r5' });
    expectTypeOf(client.createImages).toBeFunction();
  });

  it('types the asset upload', () => {
    void client.uploadAsset('user@example.com', new Blob([]), { contentType: 'image/webp' });
    // @ts-expect-error image/bmp is not a documented asset type
    void client.uploadAsset('user@example.com', new Uint8Array(), { contentType: 'image/bmp' });
    // @ts-expect-error the image is bytes, not a path
    void client.uploadAsset('user@example.com', './photo.png');
    expectTypeOf(client.uploadAsset).toBeFunction();
  });

  it('requires a token and a baseUrl', () => {
    // @ts-expect-error token is required
    createUseapiLumaClient({ baseUrl: 'https://api.useapi.net/v1/luma' });
    // @ts-expect-error baseUrl is required
    createUseapiLumaClient({ token: 't' });
    expectTypeOf(createUseapiLumaClient).returns.toEqualTypeOf<UseapiLumaClient>();
  });
});

describe('methods return the spec schemas', () => {
  it('createImages, getJob, deleteJob and uploadAsset return their 200 bodies', () => {
    expectTypeOf<Resolved<'createImages'>>().toEqualTypeOf<JsonBody<'createImages', 200>>();
    expectTypeOf<Resolved<'getJob'>>().toEqualTypeOf<JsonBody<'getJob', 200>>();
    expectTypeOf<Resolved<'deleteJob'>>().toEqualTypeOf<JsonBody<'deleteJob', 200>>();
    expectTypeOf<Resolved<'uploadAsset'>>().toEqualTypeOf<JsonBody<'uploadAsset', 200>>();
  });

  it('waitForBatch resolves with one ImageOutcome per image, narrowed by outcome', () => {
    expectTypeOf<Resolved<'waitForBatch'>>().toEqualTypeOf<BatchOutcome>();
    expectTypeOf<BatchOutcome['images']>().toEqualTypeOf<ImageOutcome[]>();
    type Completed = Extract<ImageOutcome, { outcome: 'completed' }>;
    expectTypeOf<Completed['url']>().toEqualTypeOf<string>();
    expectTypeOf<Completed['job']['status']>().toEqualTypeOf<'completed'>();
    expectTypeOf<Completed['job']['response']['image']>().toEqualTypeOf<Schemas['ImageMedia']>();
    expectTypeOf<Extract<ImageOutcome, { outcome: 'failed' }>['error']>().toEqualTypeOf<string>();
    expectTypeOf<ImageOutcome['outcome']>().toEqualTypeOf<'completed' | 'failed' | 'timeout' | 'error'>();
  });
});

describe('derived types track the spec exactly', () => {
  it('the documented error codes are the moderation 422 and the capacity 429', () => {
    expectTypeOf<UseapiLumaDocumentedErrorCode>().toEqualTypeOf<422 | 429>();
    expectTypeOf<UseapiLumaErrorBody>().toEqualTypeOf<
      Schemas['ErrorBody'] | Schemas['ModerationErrorBody'] | Schemas['CapacityErrorBody']
    >();
  });

  it('UseapiLumaError carries a numeric code', () => {
    expectTypeOf<UseapiLumaError['code']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<UseapiLumaError>().toExtend<ApiError<number>>();
  });

  it('ASSET_CONTENT_TYPES is exactly the upload body’s media types', () => {
    expectTypeOf<(typeof ASSET_CONTENT_TYPES)[number]>().toEqualTypeOf<AssetContentType>();
    expectTypeOf<AssetContentType>().toEqualTypeOf<'image/jpeg' | 'image/png' | 'image/webp'>();
  });

  it('the terminal statuses are completed and failed, both of JobStatus', () => {
    expectTypeOf<(typeof TERMINAL_JOB_STATUSES)[number]>().toEqualTypeOf<TerminalJobStatus>();
    expectTypeOf<TerminalJobStatus>().toEqualTypeOf<'completed' | 'failed'>();
    expectTypeOf<TerminalJobStatus>().toExtend<Schemas['JobStatus']>();
  });

  it('the callback body carries replyRef and the images array', () => {
    expectTypeOf<ImageBatchCallback['replyRef']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<ImageBatchCallback['images']>>().toEqualTypeOf<Schemas['ImageJob'][]>();
    expectTypeOf<ImageBatchCallback['status']>().toEqualTypeOf<'created' | 'completed' | 'failed'>();
  });
});
