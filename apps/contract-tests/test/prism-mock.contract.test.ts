// The typed client against `prism mock`: a server that knows nothing but the spec. If the client
// works here, it works against any server that honours spec/lumixai/openapi.yaml, not only ours.
import { JobTimeoutError } from '@imagegen/client-kit';
import { LumixAIError, LumixAIJobFailedError, createLumixAIClient, lumixAIErrorFromResponse } from '@imagegen/lumixai';
import type { ImageGenerationRequest, LumixAIClient } from '@imagegen/lumixai';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';

import { within } from './support/deadline.js';
import { assertNoPrismViolation, recordingFetch, slViolations, tamper } from './support/exchanges.js';
import type { Exchange } from './support/exchanges.js';
import { startPrism } from './support/prism.js';
import type { PrismProcess } from './support/prism.js';
import { LUMIXAI_SPEC_PATH, loadLumixAISpec, pairName } from './support/spec.js';

const spec = loadLumixAISpec();

type Node = Record<string, unknown>;

/** The named example of a documented response, as Prism will serve it. */
function exampleOf(path: string, method: string, status: string, name?: string): Node {
  const operation = (spec.doc.paths as Record<string, Node>)[path]![method] as Node;
  const response = spec.deref((operation.responses as Node)[status]);
  const media = (response.content as Record<string, Node>)['application/json']!;
  if (name === undefined) return media.example as Node;
  return spec.deref<{ value: Node }>((media.examples as Node)[name]).value;
}

const BODY: ImageGenerationRequest = {
  model: 'imagen-nano-banana-2-flash',
  prompt: 'premium product render on glass, studio lighting',
  aspectRatio: '16:9',
  resolution: '2k',
};

describe('the client against prism mock (the spec alone)', () => {
  let prism: PrismProcess | undefined;
  let log: Exchange[] = [];

  beforeAll(async () => {
    prism = await startPrism(['mock', LUMIXAI_SPEC_PATH]);
  });

  afterAll(async () => {
    await prism?.stop();
  });

  afterEach(() => {
    // In mock mode Prism validates the request too and reports any violation in `sl-violations`
    // (it does not refuse it): a clean log means every request the client sent was spec-valid.
    assertNoPrismViolation(log, `--- prism output ---\n${prism?.tail(20) ?? ''}`);
    log = [];
  });

  /** A client on Prism's root (its routes are the spec's paths, without the /api/backend server path). */
  function client(options: { prefer?: string; retry?: false } = {}): LumixAIClient {
    return createLumixAIClient({
      apiKey: 'air_live_any_key_prism_only_checks_presence',
      baseUrl: prism!.url,
      retry: options.retry ?? false,
      fetch: recordingFetch(log, options.prefer ? tamper({ headers: { Prefer: options.prefer } }) : undefined),
    });
  }

  test('listModels returns the documented catalog example', async () => {
    const models = await client().listModels();
    const catalog = spec.deref<{ value: { data: unknown[] } }>(
      (spec.doc.components as { examples: Node }).examples.ModelCatalog,
    ).value.data;
    expect(models).toEqual(catalog);
  });

  test('createJob returns the documented 202 example', async () => {
    const created = await client().createJob(BODY);
    expect(created).toEqual(exampleOf('/v1/images/jobs', 'post', '202', 'queued'));
    expect(log.at(-1)?.status).toBe(202);
  });

  test('getJob returns the first documented example (a finished job)', async () => {
    const { id } = await client().createJob(BODY);
    const job = await client().getJob(id);
    expect(job).toEqual(exampleOf('/v1/images/jobs/{id}', 'get', '200', 'done'));
  });

  test('waitForJob terminates on the first poll: Prism serves the `done` example by default', async () => {
    const { id } = await client().createJob(BODY);
    const polls: string[] = [];
    const job = await within(
      10_000,
      client().waitForJob(id, { intervalMs: 10, timeoutMs: 10_000, onStatus: (polled) => polls.push(polled.status) }),
      'waitForJob did not terminate',
    );
    expect(polls).toEqual(['done']);
    expect(job.data[0]?.download_url).toBe(`/v1/images/results/${id}/download`);
  });

  test('waitForJob with `Prefer: example=error` rejects with the documented failure', async () => {
    const { id } = await client().createJob(BODY);
    const failure = await within(
      10_000,
      client({ prefer: 'example=error' }).waitForJob(id, { intervalMs: 10, timeoutMs: 10_000 }),
      'waitForJob did not terminate',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LumixAIJobFailedError);
    expect((failure as LumixAIJobFailedError).job).toEqual(exampleOf('/v1/images/jobs/{id}', 'get', '200', 'error'));
  });

  test('waitForJob against a job that stays `running` stops at its deadline', async () => {
    const { id } = await client().createJob(BODY);
    const polls: string[] = [];
    const failure = await within(
      10_000,
      client({ prefer: 'example=running' }).waitForJob(id, {
        intervalMs: 20,
        timeoutMs: 400,
        onStatus: (polled) => polls.push(polled.status),
      }),
      'waitForJob ignored its 400 ms timeoutMs',
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(JobTimeoutError);
    expect(polls.length).toBeGreaterThan(1);
    expect(new Set(polls)).toEqual(new Set(['running']));
  });

  test('generate returns the documented 200 example', async () => {
    const generated = await client().generate(BODY);
    expect(generated).toEqual(exampleOf('/v1/images/generations', 'post', '200', 'finished'));
  });

  test('download reads the binary body and the Content-Disposition file name', async () => {
    const { data } = await client().generate(BODY);
    const image = await client().download(data[0]!.download_url);
    const last = log.at(-1)!;
    expect(last.status).toBe(200);
    expect(image.contentType).toBe('image/png');
    // The spec's header example, which Prism sends as the header value.
    expect(last.headers.get('content-disposition')).toBe('attachment; filename="lumixai-9f5b5e70-839b-46f5-a31c-6cf7d7e92a30.png"');
    expect(image.filename).toBe('lumixai-9f5b5e70-839b-46f5-a31c-6cf7d7e92a30.png');
    // The spec gives the image/png body no example, so Prism makes one up from `type: string,
    // format: binary`: the six bytes "string". The client must pass bytes through untouched.
    expect(Buffer.from(image.bytes).toString('latin1')).toBe('string');
  });

  test('generateAndDownload runs the whole documented flow with the default retrying client', async () => {
    const retrying = createLumixAIClient({ apiKey: 'air_live_any', baseUrl: prism!.url, fetch: recordingFetch(log) });
    const { job, image } = await within(
      10_000,
      retrying.generateAndDownload(BODY, { wait: { intervalMs: 10, timeoutMs: 10_000 } }),
      'generateAndDownload did not terminate',
    );
    expect(job.status).toBe('done');
    expect(image.filename).toBe(`lumixai-${job.id}.png`);
    expect(log.map((exchange) => exchange.status)).toEqual([202, 200, 200]);
  });

  test('Prefer: code=503 through client.raw maps to LumixAIError service_unavailable', async () => {
    const raw = client().raw;
    const id = '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30';
    const { data, error, response } = await raw.GET('/v1/images/jobs/{id}', {
      params: { path: { id } },
      headers: { Prefer: 'code=503' },
    });
    expect(data).toBeUndefined();
    expect(response.status).toBe(503);
    const mapped = lumixAIErrorFromResponse(response, error);
    expect(mapped).toBeInstanceOf(LumixAIError);
    expect(mapped).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(mapped.message).toBe('image generation service is unavailable');
    expect(slViolations(response.headers)).toEqual([]);
  });

  test('a spec-invalid request is flagged (so the afterEach check can fail) and answered with the documented 400', async () => {
    const failure = await client()
      .createJob({ model: BODY.model } as ImageGenerationRequest)
      .catch((error: unknown) => error);
    // Unlike `proxy --errors` (its own 422), mock mode picks the spec's 400 and serves its example.
    expect(failure).toMatchObject({ status: 400, code: 'validation_error' });
    expect(slViolations(log.at(-1)!.headers)).toEqual([
      expect.objectContaining({ location: ['request', 'body'], severity: 'Error', code: 'required' }),
    ]);
    expect(() => assertNoPrismViolation(log)).toThrow(/Prism reported contract violations/);
    log = [];
  });

  describe('every documented error, as Prism serves its example, maps to LumixAIError', () => {
    const errors = spec.responses.filter((response) => Number(response.status) >= 400);
    const calls: Record<string, (client: LumixAIClient) => Promise<unknown>> = {
      createImageJob: (c) => c.createJob(BODY),
      getImageJob: (c) => c.getJob('9f5b5e70-839b-46f5-a31c-6cf7d7e92a30'),
      downloadImageResult: (c) => c.download('/v1/images/results/9f5b5e70-839b-46f5-a31c-6cf7d7e92a30/download'),
      generateImage: (c) => c.generate(BODY),
    };

    test.each(errors.map((response) => ({ title: pairName(response), response })))(
      '$title via Prefer: code',
      async ({ response }) => {
        const call = calls[response.operationId];
        expect(call, `no call for ${response.operationId}`).toBeDefined();
        const failure = await call!(client({ prefer: `code=${response.status}` })).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumixAIError);
        expect(failure).toMatchObject({ status: Number(response.status), code: response.errorType });
        if (response.status === '429') expect((failure as LumixAIError).retryAfterMs).toBe(12_000);
      },
    );
  });
});
