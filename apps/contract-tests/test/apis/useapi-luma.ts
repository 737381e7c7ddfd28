// useapi.net Luma's contract suite: how each documented status is provoked at the mock, how the
// client calls each operation, and the flows worth a test of their own. The runners in ../support
// do the rest (Prism, the mock server, coverage, the checks every pair gets).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { UseapiLumaError, createUseapiLumaClient, imagesFormData } from '@imagegen/useapi-luma';
import type { ImageJob, ImagesCreated, ImagesRequest, ImagesRequestEcho, UseapiLumaClient, operations } from '@imagegen/useapi-luma';
import { imageSize, loadSpec, useapiLumaErrorCodeOf } from '@imagegen/mock-server';
import { expect } from 'vitest';

import { within } from '../support/deadline.js';
import { defineSuite } from '../support/suite.js';
import type { Call, ProxyContext, Scenario } from '../support/suite.js';
import { withoutHeader } from '../support/without-header.js';

/** The mock's dev tokens (see the root README), each showing one documented behaviour. */
const TOKENS = {
  dev: 'useapi_mock_dev',
  oneSlot: 'useapi_mock_one_slot',
  noSubscription: 'useapi_mock_no_subscription',
  sessionError: 'useapi_mock_session_error',
  unknown: 'useapi_not_a_token_the_mock_knows',
} as const;

const ASTRONAUT: ImagesRequest = {
  prompt: 'A photorealistic portrait of an astronaut on Mars',
  model: 'photon-v2',
  resolution: '1080p',
  aspect_ratio: '16:9',
};
/** A word of the mock's default moderation list. */
const BLOCKED: ImagesRequest = { prompt: 'an nsfw poster' };
/** Schema-valid, so Prism forwards it; no account of that address is configured: the mock's own 400. */
const UNKNOWN_ACCOUNT: ImagesRequest = { ...ASTRONAUT, email: 'nobody@example.com' };
/**
 * The uploaded reference: a WebP file header whose bytes are all ASCII. The mock checks that an
 * upload is the image its Content-Type says (issue 15 row 6), and Prism's proxy forwards a binary
 * body as UTF-8 text, which would turn a PNG's or JPEG's first byte (0x89, 0xff) into U+FFFD.
 */
const UPLOAD = Buffer.from('RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x00', 'latin1');
const UPLOAD_TYPE = 'image/webp';

const schemas = loadSpec('useapi-luma').components!.schemas as Record<string, { pattern: string }>;
const JOB_ID = new RegExp(schemas.JobId!.pattern);
const ASSET_REF = new RegExp(schemas.AssetRef!.pattern);
/** The spec's example id of a job of user 12345 (any well-formed id would do for Prism). */
const EXAMPLE_JOBID = 'j0326140530123456789i-u12345-email:user@example.com:b2c3d4e5-f6a7-8901-bcde-f23456789012-bot:luma';
/** Well-formed for the spec's pattern (Prism forwards it) but its timestamp is no time: the mock's 400. */
const BAD_TIMESTAMP_JOBID = 'j1i-u12345-email:user@example.com:b2c3d4e5-f6a7-8901-bcde-f23456789012-bot:luma';
const NEVER_MADE_JOBID = 'j0101000000000000000i-u12345-email:user@example.com:00000000-0000-4000-8000-000000000000-bot:luma';
const OTHER_USER_JOBID = NEVER_MADE_JOBID.replace('-u12345-', '-u99999-');

/** Which job a `getJob`/`deleteJob` call names. */
type JobPick =
  | 'finished-image'
  | 'running-image'
  | 'running-batch'
  | 'never-made'
  | 'other-user-id'
  | 'other-users-job'
  | 'bad-timestamp';

interface UseapiPlan {
  /** The body of `createImages`. Default: {@link ASTRONAUT}. */
  body?: ImagesRequest;
  /** Send the body as multipart/form-data. Default: JSON. */
  multipart?: boolean;
  /** Put a freshly uploaded reference (on user@example.com) in `imageRef1`. Default: none. */
  withReference?: boolean;
  /** The job a path names. Default: a finished image job. */
  job?: JobPick;
  /** The account `uploadAsset` uploads to. Default: user@example.com. */
  email?: string;
}

interface CallInput {
  body: ImagesRequest | FormData;
  /** What the create answer's `request` must echo. */
  echo: ImagesRequestEcho;
  jobid: string;
  /** The status a polled job must show. */
  status: ImageJob['status'];
  email: string;
  image: Uint8Array;
}

type Types = { slug: 'useapi-luma'; client: UseapiLumaClient; plan: UseapiPlan; input: CallInput; operation: keyof operations };

// Keyed by status, or by pair where operations differ, so a status the spec gains without a row
// here fails its own test and coverage.
const SCENARIOS: Record<string, Scenario<Types>> = {
  '200': { how: 'a valid request with the dev token', plan: () => ({ key: TOKENS.dev, job: 'finished-image' }) },
  'deleteJob 200': {
    how: "a batch's jobid while its images still generate: deleted, its slot freed (the page's 429 advice)",
    plan: () => ({ key: TOKENS.dev, job: 'running-batch' }),
  },
  'createImages 400': {
    // A schema-invalid body never reaches the mock: Prism refuses it with its own 422 (see REFUSALS).
    how: 'a schema-valid body naming an email no account of the user has',
    plan: () => ({ key: TOKENS.dev, body: UNKNOWN_ACCOUNT }),
  },
  // Neither of the mock's real upload 400s gets past Prism: it refuses an empty body itself (see
  // REFUSALS) and answers 413 to one over its own size limit, below the documented 20 MB. Both are
  // tested against the mock directly (apps/mock-server/test/apis/useapi-luma/references.test.ts).
  'uploadAsset 400': {
    how: 'Prefer: code=400 (an empty or oversized upload never gets past Prism to the mock)',
    plan: () => ({ key: TOKENS.dev, headers: { Prefer: 'code=400' } }),
  },
  '400': {
    how: 'a job id the spec pattern allows whose timestamp is no time (a malformed one is refused by Prism itself)',
    plan: () => ({ key: TOKENS.dev, job: 'bad-timestamp' }),
  },
  '401': {
    // Without any token Prism answers 401 itself (its security check), so one must be present.
    how: 'a token the mock does not know (a missing one is refused by Prism itself)',
    plan: () => ({ key: TOKENS.unknown, job: 'never-made' }),
  },
  '402': { how: 'the token whose only account has no subscription', plan: () => ({ key: TOKENS.noSubscription }) },
  '403': { how: 'a job another user created (with the one-slot token), asked for with the dev token', plan: () => ({ key: TOKENS.dev, job: 'other-users-job' }) },
  'getJob 404': { how: 'a well-formed id of this user that no job ever had', plan: () => ({ key: TOKENS.dev, job: 'never-made' }) },
  'deleteJob 404': { how: 'a well-formed id of this user that no job ever had', plan: () => ({ key: TOKENS.dev, job: 'never-made' }) },
  'uploadAsset 404': { how: 'an email no account of the user has', plan: () => ({ key: TOKENS.dev, email: 'nobody@example.com' }) },
  '409': { how: 'an image job of a batch still generating', plan: () => ({ key: TOKENS.dev, job: 'running-image' }) },
  '422': { how: 'a prompt with a word of the moderation list', plan: () => ({ key: TOKENS.dev, body: BLOCKED }) },
  '429': { how: 'the one-slot token, twice while its first batch generates', plan: () => ({ key: TOKENS.oneSlot, times: 2 }) },
  'createImages 596': { how: "the token whose only account's session is broken", plan: () => ({ key: TOKENS.sessionError }) },
  'uploadAsset 596': { how: 'an upload to the dev account whose session is broken', plan: () => ({ key: TOKENS.dev, email: 'session-error@example.com' }) },
};

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS = {
  createImages: (client, input) => client.createImages(input.body),
  getJob: (client, input) => client.getJob(input.jobid),
  deleteJob: (client, input) => client.deleteJob(input.jobid),
  uploadAsset: (client, input) => client.uploadAsset(input.email, input.image, { contentType: UPLOAD_TYPE }),
} satisfies Record<keyof operations, Call<Types>>;

const echoOf = (body: ImagesRequest, resolution = body.resolution ?? '720p'): ImagesRequestEcho => ({
  prompt: body.prompt,
  model: body.model ?? 'photon-v2',
  resolution,
  aspect_ratio: body.aspect_ratio ?? '16:9',
});

/** A batch created through Prism, then moved on the mock clock until its images settled. */
async function settledBatch(context: ProxyContext<Types>, token: string = TOKENS.dev): Promise<ImagesCreated> {
  const created = await context.client({ key: token }).createImages(ASTRONAUT);
  context.clock.advance(context.timing.queuedMs + context.timing.runningMs);
  return created;
}

async function jobFor(pick: JobPick, context: ProxyContext<Types>): Promise<{ jobid: string; status: ImageJob['status'] }> {
  switch (pick) {
    case 'finished-image':
      return { jobid: (await settledBatch(context)).jobids[0]!, status: 'completed' };
    case 'running-image':
      return { jobid: (await context.client({ key: TOKENS.dev }).createImages(ASTRONAUT)).jobids[0]!, status: 'pending' };
    case 'running-batch':
      return { jobid: (await context.client({ key: TOKENS.dev }).createImages(ASTRONAUT)).jobid, status: 'created' };
    case 'other-users-job':
      return { jobid: (await settledBatch(context, TOKENS.oneSlot)).jobids[0]!, status: 'completed' };
    case 'never-made':
      return { jobid: NEVER_MADE_JOBID, status: 'completed' };
    case 'other-user-id':
      return { jobid: OTHER_USER_JOBID, status: 'completed' };
    case 'bad-timestamp':
      return { jobid: BAD_TIMESTAMP_JOBID, status: 'completed' };
  }
}

/** A replyUrl receiver on 127.0.0.1:0 for the whole of one flow. */
async function replyReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/luma`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export const useapiLuma = defineSuite<Types>({
  slug: 'useapi-luma',
  errorCodeOf: useapiLumaErrorCodeOf,
  // Only the moderation 422 and the capacity 429 carry a `code`; the others are `{ error }`.
  errorsWithoutCode: true,
  ErrorClass: UseapiLumaError,
  devKey: TOKENS.dev,
  // No request-rate limit; this is how far the clock moves before each test, so every batch of the
  // test before has settled and given its slot back.
  rateLimitWindowMs: 10_000,
  client: ({ baseUrl, key, fetch, retry }) =>
    createUseapiLumaClient({
      token: key ?? 'useapi-never-sent',
      baseUrl,
      fetch: key === undefined ? withoutHeader(fetch, 'Authorization') : fetch,
      retry: retry ? { baseDelayMs: 10 } : false,
    }),
  sampleInput: { body: ASTRONAUT, echo: echoOf(ASTRONAUT), jobid: EXAMPLE_JOBID, status: 'completed', email: 'user@example.com', image: UPLOAD },
  scenarios: SCENARIOS,
  extraCases: [
    { pair: 'createImages 200', how: 'the same body as multipart/form-data', plan: { key: TOKENS.dev, multipart: true } },
    {
      pair: 'createImages 200',
      how: 'image-v2 with an uploaded reference, asking 1080p: the echo shows it locked to 720p',
      plan: { key: TOKENS.dev, body: { ...ASTRONAUT, model: 'image-v2' }, withReference: true },
    },
    { pair: 'createImages 402', how: 'the dev token naming its account without subscription', plan: { key: TOKENS.dev, body: { ...ASTRONAUT, email: 'expired@example.com' } } },
    { pair: 'createImages 596', how: 'the dev token naming its account with a broken session', plan: { key: TOKENS.dev, body: { ...ASTRONAUT, email: 'session-error@example.com' } } },
    { pair: 'getJob 200', how: "a batch's own jobid: its overall status", plan: { key: TOKENS.dev, job: 'running-batch' } },
    { pair: 'deleteJob 200', how: 'an image job that has settled', plan: { key: TOKENS.dev, job: 'finished-image' } },
    ...(['getJob 403', 'deleteJob 403'] as const).map((pair) => ({ pair, how: 'an id naming another user (u99999)', plan: { key: TOKENS.dev, job: 'other-user-id' as const } })),
  ],

  async prepare(plan, pair, context) {
    const takesJob = pair.pathParams.includes('jobid');
    const job = takesJob ? await jobFor(plan.job ?? 'finished-image', context) : { jobid: EXAMPLE_JOBID, status: 'completed' as const };
    let body = plan.body ?? ASTRONAUT;
    let echo = echoOf(body);
    if (plan.withReference) {
      const { assetRef } = await context.client({ key: TOKENS.dev }).uploadAsset('user@example.com', UPLOAD, { contentType: UPLOAD_TYPE });
      body = { ...body, imageRef1: assetRef };
      echo = { ...echoOf(body, '720p'), imageRefs: [assetRef] };
    }
    return {
      body: plan.multipart ? imagesFormData(body) : body,
      echo,
      jobid: job.jobid,
      status: job.status,
      email: plan.email ?? 'user@example.com',
      image: UPLOAD,
    };
  },

  calls: CALLS,

  successChecks: {
    createImages: (value, input) => {
      const created = value as ImagesCreated;
      expect(created).toMatchObject({ type: 'image', status: 'created', count: 4, request: input.echo });
      for (const id of [created.jobid, ...created.jobids]) expect(id).toMatch(JOB_ID);
    },
    getJob: (value, input) => {
      expect(value).toMatchObject({ jobid: input.jobid, type: 'image', status: input.status });
      if (input.status === 'completed') expect((value as ImageJob).response?.image.url).toMatch(/\/useapi-luma\/cdn\/dream-machine\/[0-9a-f-]{36}\/image\.jpg$/);
    },
    deleteJob: (value, input) => {
      expect(value).toEqual({ jobid: input.jobid, deleted: true });
    },
    uploadAsset: (value, input) => {
      expect(value).toMatchObject({ email: input.email, assetRef: expect.stringMatching(ASSET_REF) });
    },
  },

  flows: [
    {
      name: 'createImages, then waitForBatch through Prism on mock time: four public 1920x1080 JPEGs',
      async run(context) {
        const client = context.client({ key: TOKENS.dev });
        const batch = await client.createImages(ASTRONAUT);
        const outcome = await within(
          10_000,
          client.waitForBatch(batch, { intervalMs: 500, sleep: context.sleep, now: () => context.clock.now() }),
          'waitForBatch did not finish on mock time: are sleep and now passed through?',
        );
        expect(outcome.status).toBe('completed');
        for (const image of outcome.images) {
          if (image.outcome !== 'completed') throw new Error(`${image.jobid} ended ${image.outcome}`);
          // The CDN URL is the mock's own, outside the spec, and needs no token.
          expect(image.url.startsWith(context.mockUrl)).toBe(true);
          const jpeg = Buffer.from(await (await fetch(image.url)).arrayBuffer());
          expect(imageSize(jpeg)).toEqual({ format: 'jpeg', width: 1920, height: 1080 });
        }
      },
    },
    {
      name: 'job ids go out raw (`:` and `@` in the path, as the page does) and Prism and the mock read them',
      async run(context) {
        const client = context.client({ key: TOKENS.dev });
        const batch = await client.createImages(ASTRONAUT);
        const job = await client.getJob(batch.jobids[0]!);
        expect(job.jobid).toBe(batch.jobids[0]);
        const sent = new URL(context.log.at(-1)!.url).pathname;
        expect(sent).toBe(`/jobs/${batch.jobids[0]}`);
        expect(sent).toMatch(/:.*@.*:/);
      },
    },
    {
      name: "deleting a running batch frees its slot: the one-slot token's 429 clears at once, its images end failed",
      async run(context) {
        const client = context.client({ key: TOKENS.oneSlot });
        const first = await client.createImages(ASTRONAUT);
        const refused = await client.createImages(ASTRONAUT).catch((error: unknown) => error);
        expect(refused).toMatchObject({ status: 429, code: 429 });
        expect(await client.deleteJob(first.jobid)).toEqual({ jobid: first.jobid, deleted: true });
        await client.createImages(ASTRONAUT);
        const stopped = await client.getJob(first.jobids[0]!);
        expect(stopped).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Deleted before it finished/) });
      },
    },
    {
      name: 'Prefer: failed-images=1: waitForBatch gives three images and one failure, and the batch still completed',
      async run(context) {
        const client = context.client({ key: TOKENS.dev, headers: { Prefer: 'failed-images=1' } });
        const batch = await client.createImages(ASTRONAUT);
        const outcome = await within(
          10_000,
          client.waitForBatch(batch, { intervalMs: 500, sleep: context.sleep, now: () => context.clock.now() }),
          'waitForBatch did not finish on mock time',
        );
        expect(outcome.images.map((image) => image.outcome)).toEqual(['completed', 'completed', 'completed', 'failed']);
        expect(outcome.status).toBe('completed');
      },
    },
    {
      name: 'replyUrl: the mock POSTs the created record and the final one, both valid against the callback schema',
      async run(context) {
        const receiver = await replyReceiver();
        try {
          const client = context.client({ key: TOKENS.dev });
          const batch = await client.createImages({ ...ASTRONAUT, replyUrl: receiver.url, replyRef: 'order-1234' });
          await within(5_000, context.mock.webhooks.waitFor((delivery) => delivery.url === receiver.url), 'no submission callback');
          context.clock.advance(context.timing.queuedMs + context.timing.runningMs);
          await within(
            5_000,
            context.mock.webhooks.waitFor(() => context.mock.webhooks.list({ url: receiver.url }).filter((d) => d.status === 'delivered').length === 2),
            'no final callback',
          );
          expect(receiver.bodies).toEqual([
            { ...batch, replyRef: 'order-1234' },
            expect.objectContaining({ jobid: batch.jobid, status: 'completed', replyRef: 'order-1234', images: expect.any(Array) }),
          ]);
        } finally {
          await receiver.close();
        }
      },
    },
  ],

  refusals: [
    {
      name: "a schema-invalid body: 422 problem+json #UNPROCESSABLE_ENTITY, not the page's 400",
      send: (client) => client.createImages({ ...ASTRONAUT, model: 'invalid-model' } as unknown as ImagesRequest),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body', 'model'], severity: 'Error', code: 'enum' }],
    },
    {
      name: 'an upload without any bytes: 422 #UNPROCESSABLE_ENTITY, the body being required',
      send: (client) => client.uploadAsset('user@example.com', new Uint8Array(0), { contentType: 'image/png' }),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ severity: 'Error', code: 'required', message: 'Body parameter is required' }],
    },
    {
      name: 'a malformed job id: 422 #UNPROCESSABLE_ENTITY for the path parameter',
      send: (client) => client.getJob('not-a-job-id'),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['path', 'jobid'], severity: 'Error', code: 'pattern' }],
    },
  ],

  mockFlows: [
    {
      name: 'createImages returns the documented example',
      async run({ client, contract }) {
        expect(await client().createImages(ASTRONAUT)).toEqual(contract.exampleOf('/images', 'post', '200', 'created'));
      },
    },
    {
      name: 'createImages as multipart/form-data is a request the spec accepts',
      async run({ client, log }) {
        await client().createImages(imagesFormData(ASTRONAUT));
        expect(log.at(-1)?.status).toBe(200);
      },
    },
    {
      name: 'waitForBatch with `Prefer: example=completed` resolves with the documented image for each job',
      async run({ client, contract }) {
        const batch = await client().createImages(ASTRONAUT);
        const outcome = await within(10_000, client({ prefer: 'example=completed' }).waitForBatch(batch, { intervalMs: 10 }), 'waitForBatch did not terminate');
        const documented = contract.exampleOf('/jobs/{jobid}', 'get', '200', 'completed') as unknown as ImageJob;
        expect(outcome.images.map((image) => (image.outcome === 'completed' ? image.url : image.outcome))).toEqual(
          batch.jobids.map(() => documented.response!.image.url),
        );
      },
    },
    {
      name: 'waitForBatch with `Prefer: example=failed` reports each failure, and the batch failed',
      async run({ client }) {
        const batch = await client().createImages(ASTRONAUT);
        const outcome = await within(10_000, client({ prefer: 'example=failed' }).waitForBatch(batch, { intervalMs: 10 }), 'waitForBatch did not terminate');
        expect(outcome.status).toBe('failed');
        expect(outcome.images.map((image) => (image.outcome === 'failed' ? image.error : image.outcome))).toEqual(batch.jobids.map(() => 'Image generation failed'));
      },
    },
    {
      name: 'deleteJob and uploadAsset return their documented examples',
      async run({ client, contract }) {
        expect(await client().deleteJob(EXAMPLE_JOBID)).toEqual(contract.exampleOf('/jobs/{jobid}', 'delete', '200'));
        expect(await client().uploadAsset('user@example.com', UPLOAD, { contentType: UPLOAD_TYPE })).toEqual(contract.exampleOf('/assets/{email}', 'post', '200'));
      },
    },
  ],
});
