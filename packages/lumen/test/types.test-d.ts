import type { JobFailedError } from '@imagegen/client-kit';
import { describe, expectTypeOf, it } from 'vitest';

import type {
  DownloadedImage,
  LumenClient,
  LumenError,
  LumenErrorCode,
  LumenTaskFailedError,
  LumenWebhookPayload,
  TASK_STATUSES,
  TERMINAL_TASK_STATUSES,
  TaskImages,
  TaskStatus,
  components,
  operations,
} from '../src/index.js';
import { createLumenClient, verifyLumenWebhook } from '../src/index.js';

type Schemas = components['schemas'];
type JsonBody<Op extends keyof operations, Status extends keyof operations[Op]['responses']> =
  operations[Op]['responses'][Status] extends { content: { 'application/json': infer B } } ? B : never;
/** Every `error.code` of every response of every operation, read off `operations` (not `components`). */
type OperationErrorCode = {
  [Op in keyof operations]: {
    [S in keyof operations[Op]['responses']]: JsonBody<Op, S> extends { error: { code: infer C } } ? C : never;
  }[keyof operations[Op]['responses']];
}[keyof operations];

declare const client: LumenClient;
/** What a method's promise resolves to. */
type Resolved<M extends keyof LumenClient> = LumenClient[M] extends (...args: never[]) => Promise<infer R> ? R : never;
const model = 'gpt-image-2-low';
const prompt = 'a cute cat';
const image = 'https://your.img/cat.png';
const mask_url = 'https://your.img/mask.png';

describe('raw client: paths, methods and parameters come from the spec', () => {
  it('rejects a path or method the spec does not define', () => {
    // An init is passed so that the error is about the path (see the LumixAI type tests).
    // @ts-expect-error '/v1/images/variations' is not a path of the spec
    void client.raw.POST('/v1/images/variations', {});
    // @ts-expect-error the spec has no GET on /v1/images/edits
    void client.raw.GET('/v1/images/edits', {});
    // @ts-expect-error the spec has no POST on /v1/images/generations/{id}
    void client.raw.POST('/v1/images/generations/{id}', {});
    expectTypeOf(client.raw.GET).toBeFunction();
  });

  it('requires the task id of GET /v1/images/generations/{id}', () => {
    // @ts-expect-error params.path.id is required
    void client.raw.GET('/v1/images/generations/{id}', { params: {} });
    // @ts-expect-error id is a string
    void client.raw.GET('/v1/images/generations/{id}', { params: { path: { id: 42 } } });
    void client.raw.GET('/v1/images/generations/{id}', { params: { path: { id: 'a1b2c3' } } });
    expectTypeOf(client.raw.GET).toBeFunction();
  });

  it('types data as the success schema and error as the documented error bodies', async () => {
    const polled = await client.raw.GET('/v1/images/generations/{id}', { params: { path: { id: 'a1' } } });
    expectTypeOf(polled.data).toEqualTypeOf<Schemas['Task'] | undefined>();
    expectTypeOf(polled.error).toEqualTypeOf<Schemas['UnauthorizedErrorBody'] | Schemas['TaskNotFoundErrorBody'] | undefined>();

    const created = await client.raw.POST('/v1/images/inpaint', { body: { model, prompt, image, mask_url } });
    expectTypeOf(created.data).toEqualTypeOf<Schemas['TaskCreated'] | undefined>();
    expectTypeOf(created.error).toEqualTypeOf<
      | Schemas['InpaintBadRequestErrorBody']
      | Schemas['UnauthorizedErrorBody']
      | Schemas['InsufficientCreditsErrorBody']
      | Schemas['ModelNotFoundErrorBody']
      | Schemas['UpstreamRateLimitedErrorBody']
      | Schemas['UpstreamErrorBody']
      | undefined
    >();
  });
});

describe('request bodies follow the spec, including its conditional rules', () => {
  it('accepts every documented field', () => {
    void client.createGenerationTask({
      model,
      prompt,
      n: 4,
      size: '16:9',
      resolution: '4K',
      quality: 'high',
      negative_prompt: 'text',
      webhook_url: 'https://your.app/callback',
      webhook_secret: 'your-secret',
    });
    void client.createEditTask({ model, prompt, image_urls: [image], mask_url, size: '1024x1024' });
    void client.createInpaintTask({ model, prompt, image, mask_url, n: 2 });
    expectTypeOf(client.createGenerationTask).toBeFunction();
  });

  it('requires webhook_secret once webhook_url is set (dependentRequired)', () => {
    // @ts-expect-error webhook_url without webhook_secret
    void client.createGenerationTask({ model, prompt, webhook_url: 'https://your.app/callback' });
    // @ts-expect-error webhook_url without webhook_secret
    void client.createEditTask({ model, prompt, image, webhook_url: 'https://your.app/callback' });
    // @ts-expect-error webhook_url without webhook_secret
    void client.inpaintAndDownload({ model, prompt, image, mask_url, webhook_url: 'https://your.app/callback' });
    void client.createGenerationTask({ model, prompt, webhook_secret: 'unused without a URL' });
    expectTypeOf(client.createEditTask).toBeFunction();
  });

  it('requires image_urls or image for edits and inpainting (anyOf)', () => {
    // @ts-expect-error no reference image
    void client.createEditTask({ model, prompt });
    // @ts-expect-error no reference image
    void client.createInpaintTask({ model, prompt, mask_url });
    // @ts-expect-error image_urls is an array
    void client.createEditTask({ model, prompt, image_urls: image });
    void client.createEditTask({ model, prompt, image });
    void client.createEditTask({ model, prompt, image_urls: [image, image] });
    expectTypeOf(client.createInpaintTask).toBeFunction();
  });

  it('requires mask_url for inpainting only; text-to-image takes the field table\'s image fields but no mask', () => {
    // @ts-expect-error mask_url is required for inpainting
    void client.createInpaintTask({ model, prompt, image });
    void client.createGenerationTask({ model, prompt, image_urls: [image] });
    void client.createGenerationTask({ model, prompt, image });
    // @ts-expect-error text-to-image takes no mask
    void client.generateAndDownload({ model, prompt, mask_url });
    expectTypeOf(client.createGenerationTask).toBeFunction();
  });

  it('rejects values of the wrong type and missing required fields', () => {
    // @ts-expect-error '8K' is not a documented resolution
    void client.createGenerationTask({ model, prompt, resolution: '8K' });
    // @ts-expect-error n is a number
    void client.createGenerationTask({ model, prompt, n: '2' });
    // @ts-expect-error prompt is required
    void client.createGenerationTask({ model });
    // @ts-expect-error model is required
    void client.editAndDownload({ prompt, image });
    expectTypeOf(client.createGenerationTask).toBeFunction();
  });

  it('requires apiKey and baseUrl', () => {
    // @ts-expect-error baseUrl is required
    createLumenClient({ apiKey: 'sk-lumen-x' });
    // @ts-expect-error apiKey is required
    createLumenClient({ baseUrl: 'https://lumen.mengfanlab.top' });
    expectTypeOf(createLumenClient).returns.toEqualTypeOf<LumenClient>();
  });
});

describe('methods return the spec schemas', () => {
  it('the three submissions return the 200 body of their operation', () => {
    expectTypeOf<Resolved<'createGenerationTask'>>().toEqualTypeOf<JsonBody<'createGenerationTask', 200>>();
    expectTypeOf<Resolved<'createEditTask'>>().toEqualTypeOf<JsonBody<'createEditTask', 200>>();
    expectTypeOf<Resolved<'createInpaintTask'>>().toEqualTypeOf<JsonBody<'createInpaintTask', 200>>();
    expectTypeOf<Resolved<'createGenerationTask'>['status']>().toEqualTypeOf<'queued'>();
  });

  it('getTask returns Task, a union discriminated by status', () => {
    expectTypeOf<Resolved<'getTask'>>().toEqualTypeOf<JsonBody<'getTask', 200>>();
    const task = {} as Resolved<'getTask'>;
    if (task.status === 'succeeded') expectTypeOf(task.data).toEqualTypeOf<Schemas['ImageResult'][]>();
    if (task.status === 'failed') expectTypeOf(task.error).toEqualTypeOf<Schemas['TaskError']>();
  });

  it('waitForTask returns a succeeded task; downloads return bytes per image', () => {
    expectTypeOf<Resolved<'waitForTask'>>().toEqualTypeOf<Schemas['SucceededTask']>();
    expectTypeOf<Resolved<'downloadImages'>>().toEqualTypeOf<DownloadedImage[]>();
    expectTypeOf<DownloadedImage>().toEqualTypeOf<{ url: string; bytes: Uint8Array; contentType: string }>();
    expectTypeOf<Resolved<'generateAndDownload'>>().toEqualTypeOf<TaskImages>();
    expectTypeOf<TaskImages>().toEqualTypeOf<{ task: Schemas['SucceededTask']; images: DownloadedImage[] }>();
  });
});

describe('derived unions track the spec exactly', () => {
  it('TASK_STATUSES is exactly the statuses of Task', () => {
    expectTypeOf<(typeof TASK_STATUSES)[number]>().toEqualTypeOf<TaskStatus>();
    expectTypeOf<TaskStatus>().toEqualTypeOf<'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled'>();
  });

  it('TERMINAL_TASK_STATUSES is exactly the statuses a webhook reports', () => {
    expectTypeOf<(typeof TERMINAL_TASK_STATUSES)[number]>().toEqualTypeOf<Schemas['TerminalTask']['status']>();
  });

  it('LumenErrorCode is every error.code the operations document', () => {
    expectTypeOf<LumenErrorCode>().toEqualTypeOf<OperationErrorCode>();
    expectTypeOf<LumenErrorCode>().toEqualTypeOf<
      | 'invalid_request'
      | 'webhook_secret_required'
      | 'model_cannot_inpaint'
      | 'missing_api_key'
      | 'invalid_api_key'
      | 'revoked_api_key'
      | 'insufficient_credits'
      | 'model_not_found'
      | 'task_not_found'
      | 'upstream_rate_limited'
      | 'upstream_error'
    >();
  });

  it('errors carry typed codes and tasks', () => {
    expectTypeOf<LumenError['code']>().toEqualTypeOf<LumenErrorCode | undefined>();
    expectTypeOf<LumenTaskFailedError['job']>().toEqualTypeOf<Schemas['FailedTask'] | Schemas['CancelledTask']>();
    expectTypeOf<LumenTaskFailedError['code']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<LumenTaskFailedError['taskStatus']>().toEqualTypeOf<'failed' | 'cancelled'>();
    expectTypeOf<LumenTaskFailedError>().toExtend<JobFailedError<Schemas['FailedTask'] | Schemas['CancelledTask']>>();
  });
});

describe('verifyLumenWebhook', () => {
  it('returns the callback body the spec documents', () => {
    expectTypeOf<LumenWebhookPayload>().toEqualTypeOf<Schemas['TerminalTask']>();
    expectTypeOf(verifyLumenWebhook).returns.toEqualTypeOf<LumenWebhookPayload>();
  });

  it('takes the raw body, never a parsed one', () => {
    void verifyLumenWebhook(Buffer.from('{}'), {}, 'secret');
    void verifyLumenWebhook('{}', new Headers(), ['new', 'old'], { toleranceSeconds: 60, now: () => 0 });
    // @ts-expect-error a parsed body is not the raw body
    void verifyLumenWebhook({ id: 't1', status: 'succeeded' }, {}, 'secret');
    expectTypeOf(verifyLumenWebhook).toBeFunction();
  });
});
