// LumixAI's contract suite: how each documented status is provoked at the mock, how the client
// calls each operation, and the flows worth a test of their own. The runners in ../support do the
// rest (Prism, the mock server, coverage, the checks every pair gets).
import { randomUUID } from 'node:crypto';

import { JobTimeoutError } from '@imagegen/client-kit';
import { LumixAIError, LumixAIJobFailedError, createLumixAIClient, lumixAIErrorFromResponse } from '@imagegen/lumixai';
import type { DownloadedImage, ImageGenerationRequest, LumixAIClient, operations } from '@imagegen/lumixai';
import { lumixAIErrorTypeOf } from '@imagegen/mock-server';
import { expect } from 'vitest';

import { within } from '../support/deadline.js';
import { assertNoPrismViolation, slViolations } from '../support/exchanges.js';
import { defineSuite } from '../support/suite.js';
import type { Call, ProxyContext, Scenario } from '../support/suite.js';

const KEYS = {
  dev: 'air_live_mock_dev',
  scoped: 'air_live_mock_scoped',
  noCredits: 'air_live_mock_no_credits',
  rpm2: 'air_live_mock_rpm_2',
  unknown: 'air_live_not_a_key_the_mock_knows',
} as const;

/** A request every dev key may make; the scoped key is limited to this model. */
const VALID_BODY: ImageGenerationRequest = {
  model: 'imagen-nano-banana-2-flash',
  prompt: 'premium product render on glass, studio lighting',
  aspectRatio: '16:9',
  resolution: '2k',
};
const OTHER_BODY: ImageGenerationRequest = { ...VALID_BODY, prompt: 'the same product, at dusk' };
/** Valid against the schema (Prism forwards it), but no such model exists: the mock's own 400. */
const UNKNOWN_MODEL_BODY: ImageGenerationRequest = { ...VALID_BODY, model: 'no-such-model' };
/** A model outside the scoped key's allow-list. */
const OUT_OF_SCOPE_BODY: ImageGenerationRequest = { ...VALID_BODY, model: 'flux-kontext', aspectRatio: '1:1' };
/** The job id of the spec's examples (any well-formed uuid would do for Prism). */
const EXAMPLE_ID = '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DOWNLOAD_URL = /^\/v1\/images\/results\/([^/]+)\/download$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface LumixAIPlan {
  /** The request body, for operations that take one. Default: {@link VALID_BODY}. */
  body?: ImageGenerationRequest;
  /**
   * The path id, for operations that take one: a job that finished, one that finished on a model
   * outside the scoped key's scope (made with the all-models key), or an id that never existed.
   */
  id?: 'finished-job' | 'out-of-scope-job' | 'unknown';
  /** First send this body under the same Idempotency-Key (that call must succeed). */
  sameKeyFirst?: ImageGenerationRequest;
}

interface CallInput {
  body: ImageGenerationRequest;
  id: string;
  downloadUrl: string;
  idempotencyKey: string | undefined;
}

type Types = { slug: 'lumixai'; client: LumixAIClient; plan: LumixAIPlan; input: CallInput; operation: keyof operations };

// Keyed by status, so a status the spec gains without a row here fails its own test and coverage.
const SCENARIOS: Record<string, Scenario<Types>> = {
  '200': { how: 'a valid request with the all-models key', plan: () => ({ key: KEYS.dev, id: 'finished-job' }) },
  '202': { how: 'a valid request with the all-models key', plan: () => ({ key: KEYS.dev }) },
  '400': {
    // A schema-invalid body or a malformed id never reaches the mock: Prism refuses it with its own
    // 422 (see REFUSALS). So the 400s sent here are the mock's semantic checks.
    how: 'POST: a schema-valid body naming an unknown model; GET: an undeclared query parameter (a malformed id is refused by Prism itself)',
    plan: (pair) =>
      pair.hasBody ? { key: KEYS.dev, body: UNKNOWN_MODEL_BODY } : { key: KEYS.dev, id: 'finished-job', query: { unexpected: '1' } },
  },
  '401': {
    // Without any key Prism answers 401 itself (its security check), so the key must be present.
    how: 'an X-API-Key the mock does not know (a missing key is refused by Prism itself)',
    plan: () => ({ key: KEYS.unknown, id: 'finished-job' }),
  },
  '402': { how: 'the key of a workspace without credits', plan: () => ({ key: KEYS.noCredits }) },
  '403': { how: 'the scoped key asking for a model outside its scope', plan: () => ({ key: KEYS.scoped, body: OUT_OF_SCOPE_BODY }) },
  // "API key exists but cannot access the resource": the error table holds for every endpoint.
  'getImageJob 403': { how: "the scoped key polling its workspace's job of a model outside its scope", plan: () => ({ key: KEYS.scoped, id: 'out-of-scope-job' }) },
  'downloadImageResult 403': {
    how: "the scoped key downloading its workspace's result of a model outside its scope",
    plan: () => ({ key: KEYS.scoped, id: 'out-of-scope-job' }),
  },
  '404': { how: 'a well-formed uuid no job ever had', plan: () => ({ key: KEYS.dev, id: 'unknown' }) },
  '409': { how: 'the same Idempotency-Key again with a different body', plan: () => ({ key: KEYS.dev, sameKeyFirst: OTHER_BODY }) },
  '429': { how: 'the 2-requests-per-minute key, three times in one minute', plan: () => ({ key: KEYS.rpm2, id: 'unknown', times: 3 }) },
  // Synchronous generation has a real 503: the job fails upstream. The other operations have no
  // failure the mock can produce for real, hence Prefer: code=503.
  'generateImage 503': {
    how: 'the generation fails upstream (Prefer: job-status=error)',
    plan: () => ({ key: KEYS.dev, headers: { Prefer: 'job-status=error' } }),
  },
  '503': { how: 'Prefer: code=503 (no real upstream failure to provoke)', plan: () => ({ key: KEYS.dev, id: 'finished-job', headers: { Prefer: 'code=503' } }) },
};

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS = {
  listModels: (client) => client.listModels(),
  createImageJob: (client, input) => client.createJob(input.body, { idempotencyKey: input.idempotencyKey }),
  getImageJob: (client, input) => client.getJob(input.id),
  downloadImageResult: (client, input) => client.download(input.downloadUrl),
  generateImage: (client, input, { settle }) => settle(client.generate(input.body, { idempotencyKey: input.idempotencyKey })),
} satisfies Record<keyof operations, Call<Types>>;

/** Creates a job through Prism with the dev key and polls it (on mock time) until it is done. */
async function finishedJob(context: ProxyContext<Types>, body: ImageGenerationRequest = VALID_BODY): Promise<{ id: string; downloadUrl: string }> {
  const client = context.client({ key: KEYS.dev });
  const created = await client.createJob(body);
  const done = await within(
    10_000,
    client.waitForJob(created.id, { intervalMs: 500, sleep: context.sleep, timeoutMs: 10_000 }),
    'waitForJob did not finish on mock time: are WaitOptions (sleep, intervalMs) passed through?',
  );
  return { id: done.id, downloadUrl: done.data[0]!.download_url };
}

export const lumixai = defineSuite<Types>({
  slug: 'lumixai',
  errorCodeOf: lumixAIErrorTypeOf,
  ErrorClass: LumixAIError,
  devKey: KEYS.dev,
  // The rpm_2 key's window is a minute.
  rateLimitWindowMs: 60_000,
  client: ({ baseUrl, key, fetch, retry }) =>
    // Without a key the option is left out (a catalog-only client): passed as undefined it is refused.
    createLumixAIClient({ ...(key === undefined ? {} : { apiKey: key }), baseUrl, fetch, retry: retry ? { baseDelayMs: 10 } : false }),
  sampleInput: { body: VALID_BODY, id: EXAMPLE_ID, downloadUrl: `/v1/images/results/${EXAMPLE_ID}/download`, idempotencyKey: undefined },
  scenarios: SCENARIOS,
  // "does not exist or is not visible to this workspace": the second half, for real.
  extraCases: ['getImageJob 404', 'downloadImageResult 404'].map((pair) => ({
    pair,
    how: "a finished job of another workspace (asked for with the no-credits workspace's key)",
    plan: { key: KEYS.noCredits, id: 'finished-job' },
  })),

  async prepare(plan, pair, context) {
    const takesId = pair.pathParams.includes('id');
    const job =
      takesId && plan.id === 'finished-job'
        ? await finishedJob(context)
        : takesId && plan.id === 'out-of-scope-job'
          ? await finishedJob(context, OUT_OF_SCOPE_BODY)
          : { id: randomUUID(), downloadUrl: '' };
    const input: CallInput = {
      body: plan.body ?? VALID_BODY,
      id: job.id,
      downloadUrl: job.downloadUrl || `/v1/images/results/${job.id}/download`,
      idempotencyKey: plan.sameKeyFirst ? randomUUID() : undefined,
    };
    if (plan.sameKeyFirst) await context.call(context.client({ key: plan.key }), { ...input, body: plan.sameKeyFirst });
    return input;
  },

  calls: CALLS,

  successChecks: {
    listModels: (value) => {
      const slugs = (value as Array<{ slug: string }>).map((model) => model.slug);
      expect(slugs).toContain(VALID_BODY.model);
    },
    createImageJob: (value) => {
      expect(value).toMatchObject({ status: 'pending', usage: { image_count: 1 } });
      expect((value as { id: string }).id).toMatch(UUID);
    },
    getImageJob: (value, input) => {
      expect(value).toMatchObject({ id: input.id, status: 'done', data: [{ download_url: input.downloadUrl }] });
    },
    downloadImageResult: (value, input) => {
      const image = value as DownloadedImage;
      expect(image.contentType).toBe('image/png');
      expect(image.filename).toBe(`lumixai-${input.id}.png`);
      expect(image.bytes.length).toBeGreaterThan(PNG_SIGNATURE.length);
    },
    generateImage: (value) => {
      expect((value as { data: Array<{ download_url: string }> }).data[0]?.download_url).toMatch(DOWNLOAD_URL);
    },
  },

  flows: [
    {
      name: 'generateAndDownload with the default retrying client: a real PNG, as Prism relays it',
      async run(context) {
        const client = context.client({ key: KEYS.dev, retry: true });
        const { job, image } = await within(
          10_000,
          client.generateAndDownload(VALID_BODY, { wait: { intervalMs: 500, sleep: context.sleep } }),
          'generateAndDownload did not finish on mock time',
        );
        expect(job.status).toBe('done');
        expect(image.contentType).toBe('image/png');
        expect(image.filename).toBe(`lumixai-${job.id}.png`);
        const contentDisposition = context.log.at(-1)!.headers.get('content-disposition');
        expect(contentDisposition).toBe(`attachment; filename="lumixai-${job.id}.png"`);

        // The same result straight from the mock: a real PNG.
        const direct = await context.client({ key: KEYS.dev, target: 'mock' }).download(job.data[0]!.download_url);
        expect([...direct.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
        expect(direct.filename).toBe(image.filename);
        // Prism 5.14's proxy reads every non-JSON upstream body with `response.text()` and sends the
        // string back (prism-http forwarder/parseResponse), so each byte >= 0x80 that is not valid
        // UTF-8 arrives as U+FFFD: what the client gets is exactly the UTF-8 round trip of the PNG.
        // Known upstream: stoplightio/prism#2349 (proxy modifying files), #1321 (binary bodies).
        const utf8RoundTrip = new Uint8Array(Buffer.from(Buffer.from(direct.bytes).toString('utf8'), 'utf8'));
        expect(image.bytes).toEqual(utf8RoundTrip);
        expect(image.bytes).not.toEqual(direct.bytes);
      },
    },
    {
      name: 'a polled job shows pending, running and done, and each view passes Prism',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const created = await client.createJob(VALID_BODY);
        expect(created.status).toBe('pending');
        const statuses = [(await client.getJob(created.id)).status];
        // Not downloadable before it is done: the documented 404, not a half-written file.
        const early = await client.download(`/v1/images/results/${created.id}/download`).catch((error: unknown) => error);
        expect(early).toMatchObject({ status: 404, code: 'resource_not_found_error' });
        context.clock.advance(context.timing.queuedMs);
        statuses.push((await client.getJob(created.id)).status);
        context.clock.advance(context.timing.runningMs);
        const done = await client.getJob(created.id);
        statuses.push(done.status);
        expect(statuses).toEqual(['pending', 'running', 'done']);
        expect(done).toMatchObject({ completed: expect.any(Number), data: [{ download_url: expect.stringMatching(DOWNLOAD_URL) }] });
      },
    },
    {
      name: 'the same Idempotency-Key and body returns the original job, through Prism',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const idempotencyKey = randomUUID();
        const first = await client.createJob(VALID_BODY, { idempotencyKey });
        const again = await client.createJob(VALID_BODY, { idempotencyKey });
        expect(again).toEqual(first);
        const sync = await context.settle(client.generate(OTHER_BODY, { idempotencyKey }));
        const syncAgain = await client.generate(OTHER_BODY, { idempotencyKey });
        expect(syncAgain).toEqual(sync);
      },
    },
    {
      name: 'a job that fails upstream ends in status error and waitForJob says so',
      async run(context) {
        const client = context.client({ key: KEYS.dev, headers: { Prefer: 'job-status=error' } });
        const created = await client.createJob(VALID_BODY);
        const failure = await within(
          10_000,
          client.waitForJob(created.id, { intervalMs: 500, sleep: context.sleep }),
          'waitForJob did not finish on mock time',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumixAIJobFailedError);
        const failed = (failure as LumixAIJobFailedError).job;
        expect(failed).toMatchObject({ id: created.id, status: 'error', completed: expect.any(Number) });
        expect(failed.error).toMatch(/failed/i);
        expect(failed.data).toBeUndefined();
      },
    },
  ],

  refusals: [
    {
      name: 'a schema-invalid body: 422 problem+json #UNPROCESSABLE_ENTITY, not the documented 400',
      send: (client) => client.createJob({ model: VALID_BODY.model } as ImageGenerationRequest),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body'], severity: 'Error', code: 'required' }],
    },
    {
      name: 'a malformed job id: 422 #UNPROCESSABLE_ENTITY for the path parameter',
      send: (client) => client.getJob('not-a-uuid'),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['path', 'id'], severity: 'Error', code: 'format' }],
    },
  ],

  mockFlows: [
    {
      name: 'listModels returns the documented catalog example',
      async run({ client, contract }) {
        const models = await client().listModels();
        const catalog = contract.deref<{ value: { data: unknown[] } }>(
          (contract.doc.components as { examples: Record<string, unknown> }).examples.ModelCatalog,
        ).value.data;
        expect(models).toEqual(catalog);
      },
    },
    {
      name: 'createJob returns the documented 202 example',
      async run({ client, contract, log }) {
        const created = await client().createJob(VALID_BODY);
        expect(created).toEqual(contract.exampleOf('/v1/images/jobs', 'post', '202', 'queued'));
        expect(log.at(-1)?.status).toBe(202);
      },
    },
    {
      name: 'getJob returns the first documented example (a finished job)',
      async run({ client, contract }) {
        const { id } = await client().createJob(VALID_BODY);
        const job = await client().getJob(id);
        expect(job).toEqual(contract.exampleOf('/v1/images/jobs/{id}', 'get', '200', 'done'));
      },
    },
    {
      name: 'waitForJob terminates on the first poll: Prism serves the `done` example by default',
      async run({ client }) {
        const { id } = await client().createJob(VALID_BODY);
        const polls: string[] = [];
        const job = await within(
          10_000,
          client().waitForJob(id, { intervalMs: 10, timeoutMs: 10_000, onStatus: (polled) => polls.push(polled.status) }),
          'waitForJob did not terminate',
        );
        expect(polls).toEqual(['done']);
        expect(job.data[0]?.download_url).toBe(`/v1/images/results/${id}/download`);
      },
    },
    {
      name: 'waitForJob with `Prefer: example=error` rejects with the documented failure',
      async run({ client, contract }) {
        const { id } = await client().createJob(VALID_BODY);
        const failure = await within(
          10_000,
          client({ prefer: 'example=error' }).waitForJob(id, { intervalMs: 10, timeoutMs: 10_000 }),
          'waitForJob did not terminate',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumixAIJobFailedError);
        expect((failure as LumixAIJobFailedError).job).toEqual(contract.exampleOf('/v1/images/jobs/{id}', 'get', '200', 'error'));
      },
    },
    {
      name: 'waitForJob against a job that stays `running` stops at its deadline',
      async run({ client }) {
        const { id } = await client().createJob(VALID_BODY);
        const polls: string[] = [];
        const failure = await within(
          10_000,
          client({ prefer: 'example=running' }).waitForJob(id, {
            intervalMs: 20,
            // 1.5 s leaves room for several polls even when Prism answers slowly on a busy machine.
            timeoutMs: 1_500,
            onStatus: (polled) => polls.push(polled.status),
          }),
          'waitForJob ignored its 1.5 s timeoutMs',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(JobTimeoutError);
        expect(polls.length).toBeGreaterThan(1);
        expect(new Set(polls)).toEqual(new Set(['running']));
      },
    },
    {
      name: 'generate returns the documented 200 example',
      async run({ client, contract }) {
        const generated = await client().generate(VALID_BODY);
        expect(generated).toEqual(contract.exampleOf('/v1/images/generations', 'post', '200', 'finished'));
      },
    },
    {
      name: 'download reads the binary body and the Content-Disposition file name',
      async run({ client, contract, log }) {
        const { data } = await client().generate(VALID_BODY);
        const image = await client().download(data[0]!.download_url);
        const last = log.at(-1)!;
        expect(last.status).toBe(200);
        expect(image.contentType).toBe('image/png');
        // The spec's header example, which Prism sends as the header value.
        const download = contract.responses.find((pair) => pair.operationId === 'downloadImageResult' && pair.status === '200')!;
        const documented = contract.headerExample(download, 'content-disposition');
        expect(documented).toBe(`attachment; filename="lumixai-${EXAMPLE_ID}.png"`);
        expect(last.headers.get('content-disposition')).toBe(documented);
        expect(image.filename).toBe(`lumixai-${EXAMPLE_ID}.png`);
        // The spec gives the image/png body no example, so Prism makes one up from `type: string,
        // format: binary`: the six bytes "string". The client must pass bytes through untouched.
        expect(Buffer.from(image.bytes).toString('latin1')).toBe('string');
      },
    },
    {
      name: 'generateAndDownload runs the whole documented flow with the default retrying client',
      async run({ client, log }) {
        const { job, image } = await within(
          10_000,
          client({ retry: true }).generateAndDownload(VALID_BODY, { wait: { intervalMs: 10, timeoutMs: 10_000 } }),
          'generateAndDownload did not terminate',
        );
        expect(job.status).toBe('done');
        expect(image.filename).toBe(`lumixai-${job.id}.png`);
        expect(log.map((exchange) => exchange.status)).toEqual([202, 200, 200]);
      },
    },
    {
      name: 'Prefer: code=503 through client.raw maps to LumixAIError service_unavailable',
      async run({ client }) {
        const { data, error, response } = await client().raw.GET('/v1/images/jobs/{id}', {
          params: { path: { id: EXAMPLE_ID } },
          headers: { Prefer: 'code=503' },
        });
        expect(data).toBeUndefined();
        expect(response.status).toBe(503);
        const mapped = lumixAIErrorFromResponse(response, error);
        expect(mapped).toBeInstanceOf(LumixAIError);
        expect(mapped).toMatchObject({ status: 503, code: 'service_unavailable' });
        expect(mapped.message).toBe('image generation service is unavailable');
        expect(slViolations(response.headers)).toEqual([]);
      },
    },
    {
      name: 'a spec-invalid request is flagged (so the clean-log check can fail) and answered with the documented 400',
      async run({ client, log }) {
        const failure = await client()
          .createJob({ model: VALID_BODY.model } as ImageGenerationRequest)
          .catch((error: unknown) => error);
        // Unlike `proxy --errors` (its own 422), mock mode picks the spec's 400 and serves its example.
        expect(failure).toMatchObject({ status: 400, code: 'validation_error' });
        expect(slViolations(log.at(-1)!.headers)).toEqual([
          expect.objectContaining({ location: ['request', 'body'], severity: 'Error', code: 'required' }),
        ]);
        expect(() => assertNoPrismViolation(log)).toThrow(/Prism reported contract violations/);
        log.length = 0;
      },
    },
  ],
});
