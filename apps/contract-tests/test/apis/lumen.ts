// Lumen's contract suite: how each documented status is provoked at the mock, how the client calls
// each operation, and the flows worth a test of their own. The runners in ../support do the rest.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { JobTimeoutError } from '@imagegen/client-kit';
import { LumenError, LumenTaskFailedError, createLumenClient, verifyLumenWebhook } from '@imagegen/lumen';
import type { EditRequest, GenerationRequest, InpaintRequest, LumenClient, operations } from '@imagegen/lumen';
import { imageSize, lumenErrorCodeOf } from '@imagegen/mock-server';
import { expect } from 'vitest';

import { within } from '../support/deadline.js';
import { defineSuite } from '../support/suite.js';
import type { Call, PrismMockContext, ProxyContext, Scenario } from '../support/suite.js';
import { withoutHeader } from '../support/without-header.js';

const KEYS = {
  dev: 'sk-lumen-mock-dev',
  basic: 'sk-lumen-mock-basic',
  noCredits: 'sk-lumen-mock-no-credits',
  revoked: 'sk-lumen-mock-revoked',
  unknown: 'sk-lumen-not-a-key-the-mock-knows',
} as const;

const GENERATION: GenerationRequest = { model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', size: '16:9', n: 2 };
const EDIT: EditRequest = { model: 'gpt-image-2-low', prompt: 'snowy mountains behind the cat', image_urls: ['https://your.img/cat.png'] };
const INPAINT: InpaintRequest = {
  model: 'fal-flux-pro-fill',
  prompt: 'a corgi in the masked area',
  image_urls: ['https://your.img/photo.png'],
  mask_url: 'https://your.img/mask.png',
};
/** The task id of the spec's examples. */
const EXAMPLE_ID = 'a1b2c3d4e5f6';
const TASK_ID = /^[0-9a-f]{32}$/;

interface LumenPlan {
  /** Replaces the submitted body's model (each submit operation's default body otherwise). */
  model?: string;
  /** Fields merged into the submitted body. */
  extra?: Record<string, unknown>;
  /** The path id: a task that succeeded, one of another workspace, or one that never existed. Default: a finished task. */
  id?: 'finished-task' | 'other-workspace' | 'unknown';
}

interface CallInput {
  generation: GenerationRequest;
  edit: EditRequest;
  inpaint: InpaintRequest;
  id: string;
}

type Types = { slug: 'lumen'; client: LumenClient; plan: LumenPlan; input: CallInput; operation: keyof operations };

const SAMPLE_INPUT: CallInput = { generation: GENERATION, edit: EDIT, inpaint: INPAINT, id: EXAMPLE_ID };

// Keyed by status, so a status the spec gains without a row here fails its own test and coverage.
const SCENARIOS: Record<string, Scenario<Types>> = {
  '200': { how: 'a valid request with the all-models key (GET: a task that succeeded)', plan: () => ({ key: KEYS.dev }) },
  // A body that breaks the schema never reaches the mock (Prism's own 422, see REFUSALS): these are
  // the mock's own checks of a schema-valid body.
  'createGenerationTask 400': {
    how: 'the inpaint-only model on text-to-image: invalid_request',
    plan: () => ({ key: KEYS.dev, model: 'fal-flux-pro-fill' }),
  },
  'createEditTask 400': {
    how: 'a quality the model does not offer: invalid_request',
    plan: () => ({ key: KEYS.dev, extra: { quality: 'ultra' } }),
  },
  'createInpaintTask 400': {
    how: 'a model that cannot inpaint: model_cannot_inpaint',
    plan: () => ({ key: KEYS.dev, model: 'gpt-image-2-low', fails: { code: 'model_cannot_inpaint' } }),
  },
  '401': {
    // Without any key Prism answers 401 itself (its security check), so the key must be present.
    how: 'a bearer key the mock does not know: invalid_api_key (a missing key is refused by Prism itself)',
    plan: () => ({ key: KEYS.unknown, id: 'unknown', fails: { code: 'invalid_api_key' } }),
  },
  '402': { how: 'the key of a workspace without credits', plan: () => ({ key: KEYS.noCredits }) },
  '404': {
    how: 'POST: the basic group asks for the inpaint model it lacks, or a model no group has; GET: an id no task ever had',
    plan: (pair) => (pair.method === 'GET' ? { key: KEYS.dev, id: 'unknown' } : { key: KEYS.basic, model: 'fal-flux-pro-fill' }),
  },
  // The upstream provider is not simulated per request: these are Prefer's documented answers.
  '429': { how: 'Prefer: code=429 (the upstream is not really rate limited)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=429' } }) },
  '502': { how: 'Prefer: code=502 (the upstream does not really fail)', plan: () => ({ key: KEYS.dev, headers: { Prefer: 'code=502' } }) },
};

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS = {
  createGenerationTask: (client, input) => client.createGenerationTask(input.generation),
  createEditTask: (client, input) => client.createEditTask(input.edit),
  createInpaintTask: (client, input) => client.createInpaintTask(input.inpaint),
  getTask: (client, input) => client.getTask(input.id),
} satisfies Record<keyof operations, Call<Types>>;

/** Submits through Prism with `key` and polls (on mock time) until the task succeeded. */
async function finishedTask(context: ProxyContext<Types>, key: string): Promise<string> {
  const client = context.client({ key });
  const created = await client.createGenerationTask(GENERATION);
  const done = await within(
    10_000,
    client.waitForTask(created.id, { intervalMs: 500, sleep: context.sleep, timeoutMs: 10_000 }),
    'waitForTask did not finish on mock time: are WaitOptions (sleep, intervalMs) passed through?',
  );
  return done.id;
}

/** A webhook receiver on 127.0.0.1:0 keeping each request's raw body and headers; closed by `close()`. */
async function receiver() {
  const hits: Array<{ body: Buffer; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      hits.push({ body: Buffer.concat(chunks), headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/callback`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const createdCheck = (value: unknown) => {
  expect(value).toEqual({ id: expect.stringMatching(TASK_ID), status: 'queued', created: expect.any(Number) });
};

export const lumen = defineSuite<Types>({
  slug: 'lumen',
  errorCodeOf: lumenErrorCodeOf,
  ErrorClass: LumenError,
  devKey: KEYS.dev,
  // Lumen documents no rate limit of its own.
  rateLimitWindowMs: 0,
  client: ({ baseUrl, key, fetch, retry }) =>
    createLumenClient({
      // The client refuses to exist without a key; a request "without credentials" drops the header.
      apiKey: key ?? 'sk-lumen-never-sent',
      baseUrl,
      fetch: key === undefined ? withoutHeader(fetch, 'Authorization') : fetch,
      retry: retry ? { baseDelayMs: 10 } : false,
    }),
  sampleInput: SAMPLE_INPUT,
  scenarios: SCENARIOS,
  extraCases: [
    ...(['createGenerationTask', 'createEditTask', 'createInpaintTask', 'getTask'] as const).map((operation) => ({
      pair: `${operation} 401`,
      how: 'a revoked key: revoked_api_key',
      plan: { key: KEYS.revoked, id: 'unknown' as const, fails: { code: 'revoked_api_key' } },
    })),
    { pair: 'createGenerationTask 404', how: 'a model no group has', plan: { key: KEYS.dev, model: 'gpt-image-9' } },
    { pair: 'getTask 404', how: "a task of another workspace (the basic key's)", plan: { key: KEYS.dev, id: 'other-workspace' as const } },
  ],

  async prepare(plan, pair, context) {
    const override = (body: object) => ({ ...body, ...(plan.model && { model: plan.model }), ...plan.extra });
    let id = EXAMPLE_ID;
    if (pair.pathParams.includes('id') && plan.id !== 'unknown') {
      id = await finishedTask(context, plan.id === 'other-workspace' ? KEYS.basic : KEYS.dev);
    }
    return {
      generation: override(GENERATION) as GenerationRequest,
      edit: override(EDIT) as EditRequest,
      inpaint: override(INPAINT) as InpaintRequest,
      id,
    };
  },

  calls: CALLS,

  successChecks: {
    createGenerationTask: createdCheck,
    createEditTask: createdCheck,
    createInpaintTask: createdCheck,
    getTask: (value, input) => {
      // Image URLs are on the mock's own origin, not Prism's: the image host is not the API.
      expect(value).toEqual({
        id: input.id,
        status: 'succeeded',
        created: expect.any(Number),
        data: [0, 1].map((i) => ({ url: expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/lumen/images/${input.id}/${i}\\.png$`)) })),
      });
    },
  },

  flows: [
    {
      name: 'generateAndDownload with the default retrying client: every image a real PNG of the size asked',
      async run(context) {
        const client = context.client({ key: KEYS.dev, retry: true });
        const { task, images } = await within(
          10_000,
          client.generateAndDownload({ ...GENERATION, resolution: '2K' }, { wait: { intervalMs: 500, sleep: context.sleep } }),
          'generateAndDownload did not finish on mock time',
        );
        expect(task.data).toHaveLength(2);
        expect(images.map((image) => imageSize(image.bytes))).toEqual([
          { format: 'png', width: 2048, height: 1152 },
          { format: 'png', width: 2048, height: 1152 },
        ]);
      },
    },
    {
      name: 'a polled task shows queued, processing and succeeded, and each view passes Prism',
      async run(context) {
        const client = context.client({ key: KEYS.dev });
        const created = await client.createInpaintTask(INPAINT);
        const statuses = [(await client.getTask(created.id)).status];
        context.clock.advance(context.timing.queuedMs);
        statuses.push((await client.getTask(created.id)).status);
        context.clock.advance(context.timing.runningMs);
        statuses.push((await client.getTask(created.id)).status);
        expect(statuses).toEqual(['queued', 'processing', 'succeeded']);
      },
    },
    ...(['failed', 'cancelled'] as const).map((status) => ({
      name: `a task that ends ${status} passes Prism, and waitForTask throws LumenTaskFailedError`,
      async run(context: ProxyContext<Types>) {
        const client = context.client({ key: KEYS.dev, headers: { Prefer: `job-status=${status}` } });
        const created = await client.createEditTask(EDIT);
        const failure = await within(10_000, client.waitForTask(created.id, { intervalMs: 500, sleep: context.sleep }), 'waitForTask did not finish').catch(
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(LumenTaskFailedError);
        expect(failure).toMatchObject({ taskStatus: status, code: status === 'failed' ? 'upstream_error' : undefined });
      },
    })),
    {
      name: 'a task submitted through Prism calls its webhook back; verifyLumenWebhook accepts the bytes received',
      async run(context) {
        const hook = await receiver();
        try {
          const client = context.client({ key: KEYS.dev });
          const created = await client.createGenerationTask({ ...GENERATION, webhook_url: hook.url, webhook_secret: 'contract-secret' });
          context.clock.advance(context.timing.queuedMs + context.timing.runningMs);
          const delivery = await within(10_000, context.mock.webhooks.waitFor((d) => d.url === hook.url), 'no webhook delivery');
          expect(delivery.status).toBe('delivered');
          const [hit] = hook.hits;
          const task = verifyLumenWebhook(hit!.body, hit!.headers, 'contract-secret', { now: () => context.clock.now() });
          expect(task).toEqual(await client.getTask(created.id));
        } finally {
          await hook.close();
        }
      },
    },
  ],

  refusals: [
    {
      name: 'webhook_url without webhook_secret: 422 #UNPROCESSABLE_ENTITY (dependentRequired), not the documented 400',
      send: (client) => client.createGenerationTask({ ...GENERATION, webhook_url: 'https://your.app/callback' } as GenerationRequest),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body'], severity: 'Error', code: 'dependentRequired' }],
    },
    {
      name: 'n above 4: 422 #UNPROCESSABLE_ENTITY',
      send: (client) => client.createGenerationTask({ ...GENERATION, n: 5 }),
      status: 422,
      problem: 'UNPROCESSABLE_ENTITY',
      validation: [{ location: ['body', 'n'], severity: 'Error', code: 'maximum' }],
    },
  ],

  mockFlows: [
    ...(
      [
        ['createGenerationTask', '/v1/images/generations'],
        ['createEditTask', '/v1/images/edits'],
        ['createInpaintTask', '/v1/images/inpaint'],
      ] as const
    ).map(([operation, path]) => ({
      name: `${operation} returns the documented 200 example`,
      async run({ client, contract }: PrismMockContext<Types>) {
        const created = await CALLS[operation](client(), SAMPLE_INPUT);
        expect(created).toEqual(contract.exampleOf(path, 'post', '200', 'queued'));
      },
    })),
    {
      name: 'waitForTask on `Prefer: example=succeeded` returns the documented image URL',
      async run({ client, contract }) {
        const task = await within(10_000, client({ prefer: 'example=succeeded' }).waitForTask(EXAMPLE_ID, { intervalMs: 10, timeoutMs: 10_000 }), 'waitForTask did not terminate');
        expect(task).toEqual(contract.exampleOf('/v1/images/generations/{id}', 'get', '200', 'succeeded'));
      },
    },
    ...(['failed', 'cancelled'] as const).map((status) => ({
      name: `waitForTask on \`Prefer: example=${status}\` rejects with the documented task`,
      async run({ client, contract }: PrismMockContext<Types>) {
        const failure = await within(10_000, client({ prefer: `example=${status}` }).waitForTask(EXAMPLE_ID, { intervalMs: 10, timeoutMs: 10_000 }), 'waitForTask did not terminate').catch(
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(LumenTaskFailedError);
        expect((failure as LumenTaskFailedError).job).toEqual(contract.exampleOf('/v1/images/generations/{id}', 'get', '200', status));
      },
    })),
    {
      name: 'waitForTask against a task that stays `processing` stops at its deadline',
      async run({ client }) {
        const polls: string[] = [];
        const failure = await within(
          10_000,
          // 1.5 s leaves room for several polls even when Prism answers slowly on a busy machine.
          client({ prefer: 'example=processing' }).waitForTask(EXAMPLE_ID, { intervalMs: 20, timeoutMs: 1_500, onStatus: (polled) => polls.push(polled.status) }),
          'waitForTask ignored its 1.5 s timeoutMs',
        ).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(JobTimeoutError);
        expect(polls.length).toBeGreaterThan(1);
        expect(new Set(polls)).toEqual(new Set(['processing']));
      },
    },
  ],
});
