// LumozAI's contract suite: how each documented status is provoked at the mock, how the client
// calls each operation, and the flows worth a test of their own. The runners in ../support do the
// rest (Prism, the mock server, coverage, the required X-RateLimit-* headers on every pair).
import { JobTimeoutError } from '@imagegen/client-kit';
import { LumozAIError, LumozAIRequestFailedError, LumozAIValidationError, createLumozAIClient } from '@imagegen/lumozai';
import type { CheckResult, LumozAIClient, RunParameters, RunResult, operations } from '@imagegen/lumozai';
import { imageSize, lumozAIErrorCodeOf } from '@imagegen/mock-server';
import { expect } from 'vitest';

import { within } from '../support/deadline.js';
import { defineSuite } from '../support/suite.js';
import type { Call, ProxyContext, Scenario } from '../support/suite.js';
import { withoutHeader } from '../support/without-header.js';

const KEYS = {
  dev: 'lmz_mock_dev',
  hourly3: 'lmz_mock_hourly_3',
  noModels: 'lmz_mock_no_models',
  unknown: 'lmz_not_a_key_the_mock_knows',
} as const;

/** The documented hidream-l1 example. */
const VALID_RUN: RunParameters = {
  model_id: 'hidream-l1',
  prompt: 'A beautiful sunset over mountains',
  negative_prompt: 'blurry, low quality',
  guidance_scale: 7.5,
  num_inference_steps: 30,
};
/** Valid against the spec (Prism forwards it), but no such model: the mock's own 404. */
const UNKNOWN_MODEL_RUN: RunParameters = { ...VALID_RUN, model_id: 'hidream-l9' };
/** Valid against the spec, outside hidream-l1's own range: the mock's own 422. */
const OUT_OF_RANGE_RUN: RunParameters = { ...VALID_RUN, guidance_scale: 99 };
/** The request id of the documentation's examples (no run of the mock has it). */
const EXAMPLE_ID = 212121212121212;

const HOUR_MS = 60 * 60 * 1000;
const OUTPUT_URL = /^http:\/\/127\.0\.0\.1:\d+\/lumozai\/storage\/outputs\/image_(\d{15})\.jpg$/;

interface LumozAIPlan {
  /** The run's parameters. Default: {@link VALID_RUN}. */
  body?: RunParameters;
  /** The id to check: a run that completed, one still processing, one that failed, or one no run has. Default: unknown. */
  run?: 'completed' | 'processing' | 'failed' | 'unknown';
  /** Whether a run is answered completed or by its request_id alone. Default: completed. */
  answer?: 'completed' | 'request_id';
}

interface CallInput {
  body: RunParameters;
  requestId: number;
  answer: 'completed' | 'request_id';
}

type Types = { slug: 'lumozai'; client: LumozAIClient; plan: LumozAIPlan; input: CallInput; operation: keyof operations };

// Keyed by status, so a status the spec gains without a row here fails its own test and coverage.
const SCENARIOS: Record<string, Scenario<Types>> = {
  'runModel 200': { how: 'the documented hidream-l1 run, finishing within the wait: completed with its output', plan: () => ({ key: KEYS.dev }) },
  'checkRequest 200': { how: 'a run that completed', plan: () => ({ key: KEYS.dev, run: 'completed' }) },
  '401': {
    // Without any key Prism answers 401 itself (its security check), so the key must be present.
    how: 'a Bearer key the mock does not know (a missing key is refused by Prism itself)',
    plan: () => ({ key: KEYS.unknown }),
  },
  'runModel 403': { how: 'the key whose plan has no model', plan: () => ({ key: KEYS.noModels }) },
  // No resource of /check is out of a key's reach: another account's id is an unknown id (422).
  'checkRequest 403': { how: 'Prefer: code=403 (no real permission failure on /check)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=403' } }) },
  '404': { how: 'a schema-valid run naming a model the catalog does not have', plan: () => ({ key: KEYS.dev, body: UNKNOWN_MODEL_RUN }) },
  'runModel 422': { how: "a schema-valid run outside hidream-l1's own range (guidance_scale 99)", plan: () => ({ key: KEYS.dev, body: OUT_OF_RANGE_RUN }) },
  'checkRequest 422': { how: 'a well-formed request_id no run of this key has (the documented example id)', plan: () => ({ key: KEYS.dev, run: 'unknown' }) },
  '429': { how: 'the 3-requests-per-hour key, four times in one hour', plan: () => ({ key: KEYS.hourly3, times: 4 }) },
  '500': { how: 'Prefer: code=500 (no real server failure to provoke)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=500' } }) },
};

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS = {
  runModel: (client, input, { settle }) => settle(client.run(input.body)),
  checkRequest: (client, input) => client.check(input.requestId),
} satisfies Record<keyof operations, Call<Types>>;

/** A run of the dev key in the given state, made through Prism; its request_id. */
async function runIn(state: 'completed' | 'processing' | 'failed', context: ProxyContext<Types>): Promise<number> {
  const prefer = { completed: undefined, processing: 'respond-async', failed: 'job-status=failed' }[state];
  const client = context.client({ key: KEYS.dev, headers: prefer ? { Prefer: prefer } : {} });
  const started = await context.settle(client.run(VALID_RUN));
  if (state === 'failed') context.clock.advance(context.timing.queuedMs + context.timing.runningMs);
  return started.data.request_id;
}

export const lumozai = defineSuite<Types>({
  slug: 'lumozai',
  errorCodeOf: lumozAIErrorCodeOf,
  ErrorClass: LumozAIError,
  devKey: KEYS.dev,
  // The hourly_3 key's window is an hour.
  rateLimitWindowMs: HOUR_MS,
  client: ({ baseUrl, key, fetch, retry }) =>
    createLumozAIClient({
      apiKey: key ?? 'lmz-never-sent',
      baseUrl,
      fetch: key === undefined ? withoutHeader(fetch, 'Authorization') : fetch,
      retry: retry ? { baseDelayMs: 10 } : false,
    }),
  sampleInput: { body: VALID_RUN, requestId: EXAMPLE_ID, answer: 'completed' },
  scenarios: SCENARIOS,
  extraCases: [
    {
      pair: 'runModel 200',
      how: 'the same run with Prefer: respond-async: its request_id alone',
      plan: { key: KEYS.dev, headers: { Prefer: 'respond-async' }, answer: 'request_id' },
    },
    { pair: 'checkRequest 200', how: 'a run still processing (progress 0-100)', plan: { key: KEYS.dev, run: 'processing' } },
    {
      pair: 'checkRequest 200',
      how: 'a run that failed: HTTP 200, success: false, thrown as LumozAIRequestFailedError',
      plan: { key: KEYS.dev, run: 'failed', fails: { throws: LumozAIRequestFailedError } },
    },
  ],

  async prepare(plan, _pair, context) {
    const run = plan.run ?? 'unknown';
    return {
      body: plan.body ?? VALID_RUN,
      requestId: run === 'unknown' ? EXAMPLE_ID : await runIn(run, context),
      answer: plan.answer ?? 'completed',
    };
  },

  calls: CALLS,

  successChecks: {
    runModel: (value, input) => {
      const result = value as RunResult;
      expect(String(result.data.request_id)).toMatch(/^[1-9]\d{14}$/);
      if (input.answer === 'request_id') {
        expect(result).toEqual({ finished: false, data: { request_id: expect.any(Number) } });
      } else {
        expect(result).toMatchObject({ finished: true, data: { output: expect.stringMatching(OUTPUT_URL), output_type: 'image' } });
      }
    },
    checkRequest: (value, input) => {
      const state = value as CheckResult;
      expect(state.request_id).toBe(input.requestId);
      if (state.status === 'processing') expect(state.progress).toBeGreaterThanOrEqual(0);
      else expect(state).toMatchObject({ status: 'completed', output: expect.stringMatching(OUTPUT_URL), output_type: 'image' });
    },
  },

  flows: [
    {
      name: 'runAndDownload with the default retrying client: a run within the wait, its JPEG fetched from the mock',
      async run(context) {
        const client = context.client({ key: KEYS.dev, retry: true });
        const { result, file } = await within(10_000, context.settle(client.runAndDownload(VALID_RUN)), 'runAndDownload did not finish on mock time');
        expect(result.output).toMatch(OUTPUT_URL);
        expect(file.contentType).toBe('image/jpeg');
        expect(file.filename).toBe(`image_${result.request_id}.jpg`);
        expect(imageSize(file.bytes)).toEqual({ format: 'jpeg', width: 1024, height: 1024 });
      },
    },
    {
      name: 'a run answered by request_id alone, polled through Prism with progress 0-100 on mock time until completed',
      async run(context) {
        const client = context.client({ key: KEYS.dev, headers: { Prefer: 'respond-async' } });
        const started = await client.run(VALID_RUN);
        expect(started.finished).toBe(false);
        const progress: number[] = [];
        const done = await within(
          10_000,
          context.client({ key: KEYS.dev }).waitForRequest(started.data.request_id, { intervalMs: 500, sleep: context.sleep, onProgress: (percent) => progress.push(percent) }),
          'waitForRequest did not finish on mock time',
        );
        expect(done).toMatchObject({ request_id: started.data.request_id, status: 'completed', output: expect.stringMatching(OUTPUT_URL) });
        expect(progress.length).toBeGreaterThan(2);
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
        expect(progress.every((percent) => percent >= 0 && percent <= 100)).toBe(true);
      },
    },
    {
      name: 'a run that fails: waitForRequest throws LumozAIRequestFailedError with the documented message',
      async run(context) {
        const client = context.client({ key: KEYS.dev, headers: { Prefer: 'job-status=failed' } });
        const started = await client.run(VALID_RUN);
        const failure = await within(
          10_000,
          context.client({ key: KEYS.dev }).waitForRequest(started.data.request_id, { intervalMs: 500, sleep: context.sleep }),
          'waitForRequest did not finish on mock time',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumozAIRequestFailedError);
        expect((failure as LumozAIRequestFailedError).job).toEqual({
          request_id: started.data.request_id,
          status: 'failed',
          error: 'Model execution failed due to invalid parameters',
        });
      },
    },
    {
      name: 'X-RateLimit-* through Prism: Remaining counts down, Reset is the Unix second the hour ends, then 429',
      async run(context) {
        const client = context.client({ key: KEYS.hourly3 });
        const windowEnds = Math.ceil((context.clock.now() + HOUR_MS) / 1000);
        for (let i = 0; i < 3; i++) await client.check(EXAMPLE_ID).catch(() => undefined);
        const refused = await client.check(EXAMPLE_ID).catch((error: unknown) => error);
        const seen = context.log.map((exchange) => [exchange.status, ...['limit', 'remaining', 'reset'].map((name) => Number(exchange.headers.get(`x-ratelimit-${name}`)))]);
        expect(seen).toEqual([
          [422, 3, 2, windowEnds],
          [422, 3, 1, windowEnds],
          [422, 3, 0, windowEnds],
          [429, 3, 0, windowEnds],
        ]);
        expect(refused).toBeInstanceOf(LumozAIError);
        expect(refused).toMatchObject({ status: 429, code: 'rate_limit_exceeded', rateLimit: { limit: 3, remaining: 0, reset: windowEnds } });
      },
    },
    {
      name: "the PHP example's multipart form and a JSON body, sent through Prism: both pass and both run",
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const form = new FormData();
        form.append('model_id', 'hidream-l1');
        form.append('prompt', 'A beautiful sunset over mountains');
        // client.raw sends JSON by default; a FormData body goes out as multipart with its boundary.
        const multipart = await context.settle(client.raw.POST('/run', { body: VALID_RUN, bodySerializer: () => form }));
        const json = await context.settle(client.raw.POST('/run', { body: VALID_RUN }));
        for (const { data, response } of [multipart, json]) {
          expect(response.status).toBe(200);
          expect(data).toMatchObject({ success: true, data: { output: expect.stringMatching(OUTPUT_URL) } });
        }
        expect(context.log.map((exchange) => exchange.status)).toEqual([200, 200]);
      },
    },
  ],

  refusals: [
    {
      name: 'a run without model_id: 422 problem+json #UNPROCESSABLE_ENTITY, not the documented 422 envelope',
      send: (client) => client.run({ prompt: VALID_RUN.prompt } as RunParameters),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body'], severity: 'Error', code: 'required' }],
    },
    {
      name: 'a run whose num_inference_steps is not an integer: 422 #UNPROCESSABLE_ENTITY for that field',
      send: (client) => client.run({ ...VALID_RUN, num_inference_steps: 30.5 }),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body', 'num_inference_steps'], severity: 'Error', code: 'type' }],
    },
  ],

  mockFlows: [
    {
      name: 'run returns the documented completed example; Prefer: example=accepted the request_id alone',
      async run({ client, contract }) {
        expect(await client().run(VALID_RUN)).toEqual({ finished: true, data: contract.exampleOf('/run', 'post', '200', 'completed').data });
        expect(await client({ prefer: 'example=accepted' }).run(VALID_RUN)).toEqual({ finished: false, data: { request_id: EXAMPLE_ID } });
      },
    },
    {
      name: 'check returns the documented processing example; waitForRequest ends on the completed one',
      async run({ client, contract }) {
        expect(await client().check(EXAMPLE_ID)).toEqual(contract.exampleOf('/check', 'post', '200', 'processing').data);
        const done = await within(10_000, client({ prefer: 'example=completed' }).waitForRequest(EXAMPLE_ID, { intervalMs: 10, timeoutMs: 5_000 }), 'waitForRequest did not terminate');
        expect(done).toEqual(contract.exampleOf('/check', 'post', '200', 'completed').data);
      },
    },
    {
      name: 'the documented failed example (HTTP 200, success: false) is a LumozAIRequestFailedError',
      async run({ client, contract }) {
        const failure = await client({ prefer: 'example=failed' }).check(EXAMPLE_ID).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(LumozAIRequestFailedError);
        expect((failure as LumozAIRequestFailedError).job).toEqual(contract.exampleOf('/check', 'post', '200', 'failed').data);
      },
    },
    {
      name: 'waitForRequest against a run that stays processing stops at its deadline',
      async run({ client }) {
        const polls: number[] = [];
        const failure = await within(
          10_000,
          client().waitForRequest(EXAMPLE_ID, { intervalMs: 20, timeoutMs: 400, onProgress: (percent) => polls.push(percent) }),
          'waitForRequest ignored its 400 ms timeoutMs',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(JobTimeoutError);
        expect(new Set(polls)).toEqual(new Set([45]));
      },
    },
    {
      name: "the documented 422 example's details are a typed map; the 429 example's X-RateLimit-* headers are read",
      async run({ client }) {
        const invalid = await client({ prefer: 'code=422' }).run(VALID_RUN).catch((error: unknown) => error);
        expect(invalid).toBeInstanceOf(LumozAIValidationError);
        expect((invalid as LumozAIValidationError).details.model_id).toEqual(['The model_id field is required.']);
        const limited = await client({ prefer: 'code=429' }).check(EXAMPLE_ID).catch((error: unknown) => error);
        expect(limited).toMatchObject({ status: 429, code: 'rate_limit_exceeded', rateLimit: { limit: 1000, remaining: 997, reset: 1778960400 } });
      },
    },
  ],
});
