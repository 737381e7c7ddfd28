import type { DownloadError, JobFailedError } from '@imagegen/client-kit';
import { describe, expectTypeOf, it } from 'vitest';

import type {
  CompletedGeneration,
  DocumentedErrorStatus,
  DocumentedStatus,
  DownloadedOutput,
  GenerationFailureCode,
  LumaAgentsClient,
  LumaAgentsError,
  LumaAgentsErrorBody,
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  RETRYABLE_STATUSES,
  TERMINAL_STATES,
  TerminalState,
  components,
  operations,
} from '../src/index.js';
import { createLumaAgentsClient } from '../src/index.js';
import type { DOCUMENTED_STATUSES, FAILURE_CODES } from './fixtures.js';

type Schemas = components['schemas'];
type Body = components['requestBodies']['GenerationCreateRequest']['content']['application/json'];

declare const client: LumaAgentsClient;
/** What a method's promise resolves to. */
type Resolved<M extends keyof LumaAgentsClient> = LumaAgentsClient[M] extends (...args: never[]) => Promise<infer R> ? R : never;
const prompt = 'A glass of iced coffee';

describe('failures carry the spec’s failure_code union', () => {
  it('GenerationFailureCode is exactly the nine codes of the page', () => {
    expectTypeOf<GenerationFailureCode>().toEqualTypeOf<
      | 'content_moderated'
      | 'generation_failed'
      | 'budget_exhausted'
      | 'output_not_found'
      | 'image_too_large'
      | 'unsupported_format'
      | 'corrupt_input'
      | 'invalid_request'
      | 'rate_limited'
    >();
    expectTypeOf<GenerationFailureCode>().toEqualTypeOf<Schemas['GenerationFailureCode']>();
    expectTypeOf<(typeof FAILURE_CODES)[number]>().toEqualTypeOf<GenerationFailureCode>();
  });

  it('LumaAgentsGenerationFailedError.failureCode is that union, failureReason a string', () => {
    expectTypeOf<LumaAgentsGenerationFailedError['failureCode']>().toEqualTypeOf<GenerationFailureCode | undefined>();
    expectTypeOf<LumaAgentsGenerationFailedError['failureReason']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<LumaAgentsGenerationFailedError['job']>().toEqualTypeOf<Schemas['Generation']>();
    expectTypeOf<LumaAgentsGenerationFailedError>().toExtend<JobFailedError<Schemas['Generation']>>();
  });

  it('the generation’s own failure_code is the union or null', () => {
    expectTypeOf<Schemas['Generation']['failure_code']>().toEqualTypeOf<GenerationFailureCode | null | undefined>();
  });
});

describe('derived unions track the spec exactly', () => {
  it('DOCUMENTED_STATUSES lists exactly the statuses of each operation', () => {
    expectTypeOf<keyof (typeof DOCUMENTED_STATUSES)['createGeneration']>().toEqualTypeOf<DocumentedStatus<'createGeneration'>>();
    expectTypeOf<keyof (typeof DOCUMENTED_STATUSES)['getGeneration']>().toEqualTypeOf<DocumentedStatus<'getGeneration'>>();
    expectTypeOf<keyof typeof DOCUMENTED_STATUSES>().toEqualTypeOf<keyof operations>();
  });

  it('DocumentedErrorStatus leaves out the success statuses', () => {
    expectTypeOf<DocumentedErrorStatus<'createGeneration'>>().toEqualTypeOf<400 | 401 | 402 | 403 | 413 | 422 | 429 | 502 | 503>();
    expectTypeOf<DocumentedErrorStatus<'getGeneration'>>().toEqualTypeOf<400 | 401 | 403 | 404>();
  });

  it('RETRYABLE_STATUSES are documented error statuses', () => {
    expectTypeOf<(typeof RETRYABLE_STATUSES)[number]>().toExtend<DocumentedErrorStatus>();
  });

  it('TERMINAL_STATES and the in-progress states are exactly GenerationState', () => {
    expectTypeOf<(typeof TERMINAL_STATES)[number]>().toEqualTypeOf<TerminalState>();
    expectTypeOf<TerminalState | 'queued' | 'processing'>().toEqualTypeOf<Schemas['GenerationState']>();
  });

  it('every error body is { detail: string }', () => {
    expectTypeOf<LumaAgentsErrorBody>().toEqualTypeOf<{ detail: string }>();
  });

  it('LumaAgentsError has no code: the status is the identifier', () => {
    expectTypeOf<LumaAgentsError['code']>().toEqualTypeOf<undefined>();
    expectTypeOf<LumaAgentsError['status']>().toEqualTypeOf<number>();
    expectTypeOf<LumaAgentsError['detail']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<LumaAgentsError['retryAfterMs']>().toEqualTypeOf<number | undefined>();
  });

  it('LumaAgentsOutputExpiredError is a DownloadError with the generation id', () => {
    expectTypeOf<LumaAgentsOutputExpiredError>().toExtend<DownloadError>();
    expectTypeOf<LumaAgentsOutputExpiredError['generationId']>().toEqualTypeOf<string | undefined>();
  });
});

describe('request bodies follow the spec', () => {
  it('accepts every documented field, with only prompt required', () => {
    void client.createGeneration({ prompt });
    void client.createGeneration({
      prompt,
      aspect_ratio: '3:1',
      image_ref: [{ url: 'https://example.org/a.png' }, { data: 'AAAA', media_type: 'image/png' }],
      model: 'uni-1-max',
      output_format: 'jpeg',
      source: { url: 'https://example.org/s.png' },
      style: 'manga',
      type: 'image_edit',
      user_id: 'user-1',
    });
    void client.createGeneration({ prompt, aspect_ratio: null, output_format: null, source: null });
    expectTypeOf(client.createGeneration).parameter(0).toEqualTypeOf<Body>();
  });

  it('rejects values outside the enums and unknown fields', () => {
    // @ts-expect-error '4:3' is not one of the nine aspect ratios
    void client.createGeneration({ prompt, aspect_ratio: '4:3' });
    // @ts-expect-error 'uni-2' is not a model
    void client.createGeneration({ prompt, model: 'uni-2' });
    // @ts-expect-error 'webp' is not an output format
    void client.createGeneration({ prompt, output_format: 'webp' });
    // @ts-expect-error 'anime' is not a style
    void client.createGeneration({ prompt, style: 'anime' });
    // @ts-expect-error 'video' is not a generation type here
    void client.createGeneration({ prompt, type: 'video' });
    // @ts-expect-error the page lists no web_search field
    void client.createGeneration({ prompt, web_search: true });
    // @ts-expect-error an image input has no weight
    void client.createGeneration({ prompt, source: { url: 'u', weight: 1 } });
    expectTypeOf(client.createGeneration).toBeFunction();
  });

  it('requires the prompt', () => {
    // @ts-expect-error prompt is required
    void client.createGeneration({ model: 'uni-1' });
    expectTypeOf(client.createGeneration).toBeFunction();
  });

  it('requires apiKey and baseUrl', () => {
    // @ts-expect-error baseUrl is required
    createLumaAgentsClient({ apiKey: 'k' });
    // @ts-expect-error apiKey is required
    createLumaAgentsClient({ baseUrl: 'https://agents.lumalabs.ai/v1' });
    expectTypeOf(createLumaAgentsClient).returns.toEqualTypeOf<LumaAgentsClient>();
  });
});

describe('methods return the spec schemas', () => {
  it('createGeneration and getGeneration return a Generation', () => {
    expectTypeOf<Resolved<'createGeneration'>>().toEqualTypeOf<Schemas['Generation']>();
    expectTypeOf<Resolved<'getGeneration'>>().toEqualTypeOf<Schemas['Generation']>();
  });

  it('waitForGeneration returns a completed Generation whose output is present', () => {
    expectTypeOf<Resolved<'waitForGeneration'>>().toEqualTypeOf<CompletedGeneration>();
    expectTypeOf<CompletedGeneration['state']>().toEqualTypeOf<'completed'>();
    expectTypeOf<CompletedGeneration['output']>().toEqualTypeOf<Schemas['GenerationOutput'][]>();
  });

  it('downloads return bytes and a content type', () => {
    expectTypeOf<Resolved<'downloadOutput'>>().toEqualTypeOf<DownloadedOutput>();
    expectTypeOf<DownloadedOutput>().toEqualTypeOf<{ bytes: Uint8Array; contentType: string }>();
    expectTypeOf<Resolved<'generateAndDownload'>>().toEqualTypeOf<{ generation: CompletedGeneration; images: DownloadedOutput[] }>();
    expectTypeOf<Resolved<'downloadOutputs'>>().toEqualTypeOf<Resolved<'generateAndDownload'>>();
  });

  it('the raw client knows the spec’s paths', () => {
    // @ts-expect-error the spec has no GET on /generations
    void client.raw.GET('/generations', {});
    // @ts-expect-error the id is a path parameter it requires
    void client.raw.GET('/generations/{id}', {});
    expectTypeOf(client.raw.GET).toBeFunction();
  });
});
