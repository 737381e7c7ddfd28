// Luma Agents' contract suite: how each documented status is provoked at the mock, how the client
// calls each operation, and the flows worth a test of their own (the presigned outputs among them,
// fetched from the mock directly: they are not operations of the spec). The runners in ../support
// do the rest.
import { randomUUID } from 'node:crypto';

import { JobTimeoutError } from '@imagegen/client-kit';
import {
  LumaAgentsError,
  LumaAgentsGenerationFailedError,
  LumaAgentsOutputExpiredError,
  createLumaAgentsClient,
  lumaAgentsErrorFromResponse,
} from '@imagegen/luma-agents';
import type { Generation, GenerationCreateRequest, GenerationFailureCode, LumaAgentsClient, operations } from '@imagegen/luma-agents';
import { deref, imageSize } from '@imagegen/mock-server';
import { expect } from 'vitest';

import { within } from '../support/deadline.js';
import { slViolations } from '../support/exchanges.js';
import { defineSuite } from '../support/suite.js';
import type { Call, ProxyContext, Scenario } from '../support/suite.js';
import { withoutHeader } from '../support/without-header.js';

const KEYS = {
  dev: 'luma-api-mock-dev',
  noBalance: 'luma-api-mock-no-balance',
  suspended: 'luma-api-mock-suspended',
  rpm2: 'luma-api-mock-rpm-2',
  unknown: 'luma-api-not-a-key-the-mock-knows',
} as const;

/** The run's limit on inline images, so a small one is over it (413). */
const MAX_IMAGE_BYTES = 2048;
const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
/** A PNG signature and header followed by zeros: well-formed base64, over {@link MAX_IMAGE_BYTES}. */
const LARGE_IMAGE_BASE64 = Buffer.concat([Buffer.from(TINY_PNG_BASE64, 'base64'), Buffer.alloc(MAX_IMAGE_BYTES)]).toString('base64');

const VALID_BODY: GenerationCreateRequest = {
  prompt: 'A glass of iced coffee on a marble countertop, morning light streaming through a window',
  aspect_ratio: '16:9',
};
/** Valid against the schema (Prism forwards it), but the base64 is of text, not an image: the mock's own 422. */
const UNREADABLE_IMAGE_BODY: GenerationCreateRequest = {
  prompt: 'Turn the sky into a starry night',
  type: 'image_edit',
  source: { data: Buffer.from('not an image').toString('base64'), media_type: 'image/png' },
};
const LARGE_IMAGE_BODY: GenerationCreateRequest = { ...UNREADABLE_IMAGE_BODY, source: { data: LARGE_IMAGE_BASE64, media_type: 'image/png' } };
/** The generation id of the spec's examples. */
const EXAMPLE_ID = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOUR = 60 * 60 * 1000;

interface LumaPlan {
  /** The request body, for operations that take one. Default: {@link VALID_BODY}. */
  body?: GenerationCreateRequest;
  /** The path id: a generation that completed (under the dev key), or an id that never existed. */
  id?: 'completed' | 'unknown';
}

interface CallInput {
  body: GenerationCreateRequest;
  id: string;
}

type Types = { slug: 'luma-agents'; client: LumaAgentsClient; plan: LumaPlan; input: CallInput; operation: keyof operations };

// Every 400 and 422 rule of the request is written in the schema, so Prism refuses a request that
// breaks one before it reaches the mock (see REFUSALS). What reaches the mock is what only the mock
// can judge: image data, balances, account state, limits.
const SCENARIOS: Record<string, Scenario<Types>> = {
  '201': { how: 'a valid request with the dev key', plan: () => ({ key: KEYS.dev }) },
  '200': { how: 'a generation that completed', plan: () => ({ key: KEYS.dev, id: 'completed' }) },
  'createGeneration 400': {
    how: 'Prefer: code=400 (every field rule is in the schema, so Prism refuses those requests itself)',
    plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=400' } }),
  },
  'getGeneration 400': { how: 'an undeclared query parameter (a malformed id is refused by Prism itself)', plan: () => ({ key: KEYS.dev, id: 'completed', query: { verbose: '1' } }) },
  // Without any key Prism answers 401 itself (its security check), so the key must be present.
  '401': { how: 'a Bearer key the mock does not know', plan: () => ({ key: KEYS.unknown, id: 'completed' }) },
  '402': { how: 'the dev key of an account without balance', plan: () => ({ key: KEYS.noBalance }) },
  '403': { how: 'the dev key of a suspended API client', plan: () => ({ key: KEYS.suspended, id: 'unknown' }) },
  '404': { how: 'a well-formed uuid no generation ever had', plan: () => ({ key: KEYS.dev, id: 'unknown' }) },
  '413': { how: `an inline source image over the run's ${MAX_IMAGE_BYTES}-byte limit`, plan: () => ({ key: KEYS.dev, body: LARGE_IMAGE_BODY }) },
  '422': { how: 'schema-valid base64 that does not decode to an image', plan: () => ({ key: KEYS.dev, body: UNREADABLE_IMAGE_BODY }) },
  '429': { how: 'the 2-generations-per-minute dev key, three times in one minute', plan: () => ({ key: KEYS.rpm2, times: 3 }) },
  // Upstream and image-ingestion outages are not something a test can cause for real.
  '502': { how: 'Prefer: code=502 (no real upstream outage to provoke)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=502' } }) },
  '503': { how: 'Prefer: code=503 (no real ingestion outage to provoke)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=503' } }) },
};

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS = {
  createGeneration: (client, input) => client.createGeneration(input.body),
  getGeneration: (client, input) => client.getGeneration(input.id),
} satisfies Record<keyof operations, Call<Types>>;

/** Creates a generation through Prism and polls it (on mock time) until it is final. */
async function finished(context: ProxyContext<Types>, client: LumaAgentsClient, body: GenerationCreateRequest = VALID_BODY) {
  const created = await client.createGeneration(body);
  return within(
    10_000,
    client.waitForGeneration(created.id, { intervalMs: 500, sleep: context.sleep, timeoutMs: 10_000 }),
    'waitForGeneration did not finish on mock time: are WaitOptions (sleep, intervalMs) passed through?',
  );
}

/** The spec's nine failure codes, read from the spec the suite runs against. */
function failureCodes(context: ProxyContext<Types>): GenerationFailureCode[] {
  const schemas = (context.contract.doc.components as { schemas: Record<string, unknown> }).schemas;
  return deref<{ enum: GenerationFailureCode[] }>(context.contract.doc, schemas.GenerationFailureCode).enum;
}

export const lumaAgents = defineSuite<Types>({
  slug: 'luma-agents',
  // Luma's errors are `{ detail }`: the status is the identifier, there is no code to pin.
  errorCodeOf: () => undefined,
  errorsWithoutCode: true,
  ErrorClass: LumaAgentsError,
  devKey: KEYS.dev,
  rateLimitWindowMs: 60_000,
  mockConfig: { maxImageBytes: MAX_IMAGE_BYTES },
  client: ({ baseUrl, key, fetch, retry }) =>
    createLumaAgentsClient({
      apiKey: key ?? 'luma-api-never-sent',
      baseUrl,
      fetch: key === undefined ? withoutHeader(fetch, 'Authorization') : fetch,
      retry: retry ? { baseDelayMs: 10 } : false,
    }),
  sampleInput: { body: VALID_BODY, id: EXAMPLE_ID },
  scenarios: SCENARIOS,
  extraCases: [
    {
      pair: 'getGeneration 404',
      how: "a completed generation of another account (asked for with the no-balance account's key)",
      plan: { key: KEYS.noBalance, id: 'completed' },
    },
  ],

  async prepare(plan, pair, context) {
    const completed = pair.pathParams.includes('id') && plan.id === 'completed' ? await finished(context, context.client({ key: KEYS.dev })) : undefined;
    return { body: plan.body ?? VALID_BODY, id: completed?.id ?? randomUUID() };
  },

  calls: CALLS,

  successChecks: {
    createGeneration: (value) => {
      const generation = value as Generation;
      expect(generation).toMatchObject({ state: 'queued', model: 'uni-1', type: 'image' });
      expect(generation.id).toMatch(UUID);
      expect(generation.output).toBeUndefined();
    },
    getGeneration: (value, input) => {
      const generation = value as Generation;
      expect(generation).toMatchObject({ id: input.id, state: 'completed', output: [{ type: 'image' }] });
      expect(new URL(generation.output![0]!.url).pathname).toBe(`/luma-agents/storage/generations/${input.id}/0.png`);
    },
  },

  flows: [
    {
      name: 'a polled generation shows queued, processing and completed, and each view passes Prism',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const created = await client.createGeneration({ ...VALID_BODY, model: 'uni-1-max' });
        const states = [(await client.getGeneration(created.id)).state];
        context.clock.advance(context.timing.queuedMs);
        states.push((await client.getGeneration(created.id)).state);
        context.clock.advance(context.timing.runningMs);
        const done = await client.getGeneration(created.id);
        states.push(done.state);
        expect(states).toEqual(['queued', 'processing', 'completed']);
        expect(done).toMatchObject({ id: created.id, model: 'uni-1-max', created_at: created.created_at });
      },
    },
    {
      name: 'Prefer: job-status=failed makes each of the spec nine failure codes happen, and each failed view passes Prism',
      async run(context) {
        const codes = failureCodes(context);
        expect(codes).toHaveLength(9);
        for (const code of codes) {
          const client = context.client({ key: KEYS.dev, headers: { Prefer: `job-status=failed, job-error-code=${code}, job-error="simulated ${code}"` } });
          const failure = await finished(context, client).catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(LumaAgentsGenerationFailedError);
          expect(failure).toMatchObject({ failureCode: code, failureReason: `simulated ${code}` });
          expect((failure as LumaAgentsGenerationFailedError).job).toMatchObject({ state: 'failed', failure_code: code });
          expect((failure as LumaAgentsGenerationFailedError).job.output).toBeUndefined();
        }
      },
    },
    {
      name: 'generateAndDownload: JSON through Prism, the presigned PNG and JPEG straight from the mock, without the key',
      async run(context) {
        const client = context.client({ key: KEYS.dev, retry: true });
        for (const [output_format, aspect_ratio, size] of [
          ['png', '3:2', { width: 2048, height: 1365 }],
          ['jpeg', '1:3', { width: 683, height: 2048 }],
        ] as const) {
          const { generation, images } = await within(
            10_000,
            client.generateAndDownload({ ...VALID_BODY, output_format, aspect_ratio }, { wait: { intervalMs: 500, sleep: context.sleep } }),
            'generateAndDownload did not finish on mock time',
          );
          const download = context.log.at(-1)!;
          expect(download.url).toBe(generation.output[0]!.url);
          expect(new URL(download.url).origin).toBe(context.mockUrl);
          expect(images[0]!.contentType).toBe(`image/${output_format}`);
          expect(imageSize(images[0]!.bytes)).toEqual({ format: output_format, ...size });
        }
      },
    },
    {
      name: 'an output URL expires after an hour of mock time (403); a new poll through Prism hands out a fresh one',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const completed = await finished(context, client);
        const url = completed.output[0]!.url;
        context.clock.advance(HOUR);
        const expired = await client.downloadOutput(url).catch((error: unknown) => error);
        expect(expired).toBeInstanceOf(LumaAgentsOutputExpiredError);
        expect(expired).toMatchObject({ status: 403 });
        expect(JSON.stringify((expired as LumaAgentsOutputExpiredError).body)).toMatch(/expired/);
        const { generation, images } = await client.downloadOutputs(completed);
        expect(generation.output[0]!.url).not.toBe(url);
        expect(imageSize(images[0]!.bytes).format).toBe('png');
        // The fresh URL is good for another hour, to the second.
        expect(Number(new URL(generation.output[0]!.url).searchParams.get('Expires')) * 1000).toBe(Math.floor((context.clock.now() + HOUR) / 1000) * 1000);
      },
    },
    {
      name: 'a tampered output URL is refused with 403 at the mock',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const completed = await finished(context, client);
        const tampered = new URL(completed.output[0]!.url);
        tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 86_400));
        const refused = await client.downloadOutput(tampered.href).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(LumaAgentsOutputExpiredError);
        expect(JSON.stringify((refused as LumaAgentsOutputExpiredError).body)).toMatch(/signature does not match/);
      },
    },
  ],

  refusals: [
    {
      name: 'a body without a prompt: 422 problem+json #UNPROCESSABLE_ENTITY, not the documented 400',
      send: (client) => client.createGeneration({ aspect_ratio: '1:1' } as GenerationCreateRequest),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body'], severity: 'Error', code: 'required' }],
    },
    {
      name: 'image_edit without a source or image_ref (an if/then rule): refused by Prism as well',
      send: (client) => client.createGeneration({ prompt: 'Turn the sky into a starry night', type: 'image_edit' }),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
    },
    {
      name: 'a source with both url and data (a not/oneOf rule): refused by Prism as well',
      send: (client) =>
        client.createGeneration({ prompt: 'x', source: { url: 'https://example.org/a.jpg', data: TINY_PNG_BASE64, media_type: 'image/png' } }),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
    },
    {
      name: 'a malformed generation id: 422 #UNPROCESSABLE_ENTITY for the path parameter',
      send: (client) => client.getGeneration('not-a-uuid'),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['path', 'id'], severity: 'Error', code: 'format' }],
    },
  ],

  mockFlows: [
    {
      name: 'createGeneration returns the documented 201 example',
      async run({ client, contract, log }) {
        const created = await client().createGeneration(VALID_BODY);
        expect(created).toEqual(contract.exampleOf('/generations', 'post', '201', 'queued'));
        expect(log.at(-1)?.status).toBe(201);
      },
    },
    {
      name: 'waitForGeneration against `Prefer: example=completed` finishes on the first poll',
      async run({ client, contract }) {
        const generation = await within(
          10_000,
          client({ prefer: 'example=completed' }).waitForGeneration(EXAMPLE_ID, { intervalMs: 10, timeoutMs: 10_000 }),
          'waitForGeneration did not terminate',
        );
        expect(generation).toEqual(contract.exampleOf('/generations/{id}', 'get', '200', 'completed'));
      },
    },
    {
      name: 'waitForGeneration with `Prefer: example=failed` rejects with the documented failure',
      async run({ client, contract }) {
        const failure = await within(
          10_000,
          client({ prefer: 'example=failed' }).waitForGeneration(EXAMPLE_ID, { intervalMs: 10, timeoutMs: 10_000 }),
          'waitForGeneration did not terminate',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumaAgentsGenerationFailedError);
        expect(failure).toMatchObject({ failureCode: 'content_moderated', failureReason: 'The prompt violated the content guidelines.' });
        expect((failure as LumaAgentsGenerationFailedError).job).toEqual(contract.exampleOf('/generations/{id}', 'get', '200', 'failed'));
      },
    },
    {
      name: 'waitForGeneration against a generation that stays `processing` stops at its deadline',
      async run({ client }) {
        const polls: string[] = [];
        const failure = await within(
          10_000,
          // 1.5 s leaves room for several polls even when Prism answers slowly on a busy machine.
          client({ prefer: 'example=processing' }).waitForGeneration(EXAMPLE_ID, { intervalMs: 20, timeoutMs: 1_500, onStatus: (polled) => polls.push(polled.state) }),
          'waitForGeneration ignored its 1.5 s timeoutMs',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(JobTimeoutError);
        expect(polls.length).toBeGreaterThan(1);
        expect(new Set(polls)).toEqual(new Set(['processing']));
      },
    },
    {
      name: 'Prefer: code=422 through client.raw maps to LumaAgentsError with the documented detail',
      async run({ client, contract }) {
        const { data, error, response } = await client().raw.POST('/generations', { body: VALID_BODY, headers: { Prefer: 'code=422' } });
        expect(data).toBeUndefined();
        const mapped = lumaAgentsErrorFromResponse(response, error);
        const documented = (contract.exampleOf('/generations', 'post', '422') as { detail: string }).detail;
        expect(mapped).toMatchObject({ status: 422, detail: documented, code: undefined });
        expect(slViolations(response.headers)).toEqual([]);
      },
    },
  ],
});
