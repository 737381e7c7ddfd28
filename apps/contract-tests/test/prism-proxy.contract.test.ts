// The typed client talks to the mock server through `prism proxy --errors`, which checks every
// request and every response against spec/lumixai/openapi.yaml. Every (operation, status) pair the
// spec documents is provoked (for real wherever the mock can produce it; `Prefer: code=503` only
// where it cannot) and must pass Prism untouched: spec, client and mock agree.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { LumixAIError, LumixAIJobFailedError, createLumixAIClient } from '@imagegen/lumixai';
import type { DownloadedImage, ImageGenerationRequest, LumixAIClient } from '@imagegen/lumixai';
import { ManualClock, createMockServer, serve } from '@imagegen/mock-server';
import type { MockServer, RunningMockServer } from '@imagegen/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { within } from './support/deadline.js';
import { PRISM_ERRORS, assertNoPrismViolation, prismSignalsOf, recordingFetch, slViolations, tamper } from './support/exchanges.js';
import type { Exchange, Tamper } from './support/exchanges.js';
import { startPrism } from './support/prism.js';
import type { PrismProcess } from './support/prism.js';
import { LUMIXAI_SPEC_PATH, loadLumixAISpec, pairName } from './support/spec.js';
import type { DocumentedResponse } from './support/spec.js';

const spec = loadLumixAISpec();

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

/** Every job queues this long, then runs this long, on the mock's manual clock. */
const JOB_TIMING = { queuedMs: 1_000, runningMs: 2_000 };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DOWNLOAD_URL = /^\/v1\/images\/results\/([^/]+)\/download$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// The scenario table: how each documented status is provoked for real. Keyed by status, so a
// status the spec gains without a row here fails its own test and the coverage test below.
// ---------------------------------------------------------------------------------------------

interface Plan {
  /** The X-API-Key the client sends. */
  key: string | undefined;
  /** The request body, for operations that take one. Default: {@link VALID_BODY}. */
  body?: ImageGenerationRequest;
  /** The path id, for operations that take one: a job that finished, or an id that never existed. */
  id?: 'finished-job' | 'unknown';
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Extra query parameters. */
  query?: Record<string, string>;
  /** First send this body under the same Idempotency-Key (that call must succeed). */
  sameKeyFirst?: ImageGenerationRequest;
  /** Send the request this many times; the last answer is the one checked. */
  times?: number;
}

interface Scenario {
  how: string;
  plan(response: DocumentedResponse): Plan;
}

const SCENARIOS: Record<string, Scenario> = {
  '200': { how: 'a valid request with the all-models key', plan: () => ({ key: KEYS.dev, id: 'finished-job' }) },
  '202': { how: 'a valid request with the all-models key', plan: () => ({ key: KEYS.dev }) },
  '400': {
    // A schema-invalid body or a malformed id never reaches the mock: Prism refuses it with its own
    // 422 (see "Prism's own answers" below). So the 400s sent here are the mock's semantic checks.
    how: 'POST: a schema-valid body naming an unknown model; GET: an undeclared query parameter (a malformed id is refused by Prism itself)',
    plan: (response) =>
      response.hasBody
        ? { key: KEYS.dev, body: UNKNOWN_MODEL_BODY }
        : { key: KEYS.dev, id: 'finished-job', query: { unexpected: '1' } },
  },
  '401': {
    // Without any key Prism answers 401 itself (its security check), so the key must be present.
    how: 'an X-API-Key the mock does not know (a missing key is refused by Prism itself)',
    plan: () => ({ key: KEYS.unknown, id: 'finished-job' }),
  },
  '402': { how: 'the key of a workspace without credits', plan: () => ({ key: KEYS.noCredits }) },
  '403': { how: 'the scoped key asking for a model outside its scope', plan: () => ({ key: KEYS.scoped, body: OUT_OF_SCOPE_BODY }) },
  '404': { how: 'a well-formed uuid no job ever had', plan: () => ({ key: KEYS.dev, id: 'unknown' }) },
  '409': {
    how: 'the same Idempotency-Key again with a different body',
    plan: () => ({ key: KEYS.dev, sameKeyFirst: OTHER_BODY }),
  },
  '429': { how: 'the 2-requests-per-minute key, three times in one minute', plan: () => ({ key: KEYS.rpm2, id: 'unknown', times: 3 }) },
  '503': {
    // Synchronous generation has a real 503: the job fails upstream (Prefer: job-status=error).
    // The other operations have no failure the mock can produce for real, hence Prefer: code=503.
    how: 'generateImage: the generation fails upstream (Prefer: job-status=error); others: Prefer: code=503',
    plan: (response) =>
      response.operationId === 'generateImage'
        ? { key: KEYS.dev, headers: { Prefer: 'job-status=error' } }
        : { key: KEYS.dev, id: 'finished-job', headers: { Prefer: 'code=503' } },
  },
};

interface CallInput {
  body: ImageGenerationRequest;
  id: string;
  downloadUrl: string;
  idempotencyKey: string | undefined;
}

/** Moves the mock's clock along while a call waits on it (synchronous generation does). */
type Settle = <T>(call: Promise<T>) => Promise<T>;

/** How the client invokes each operation: its helpers, never hand-written HTTP. */
const CALLS: Record<string, (client: LumixAIClient, input: CallInput, settle: Settle) => Promise<unknown>> = {
  listModels: (client) => client.listModels(),
  createImageJob: (client, input) => client.createJob(input.body, { idempotencyKey: input.idempotencyKey }),
  getImageJob: (client, input) => client.getJob(input.id),
  downloadImageResult: (client, input) => client.download(input.downloadUrl),
  generateImage: (client, input, settle) => settle(client.generate(input.body, { idempotencyKey: input.idempotencyKey })),
};

/** What a successful answer must look like, beyond Prism's schema check. */
const SUCCESS_CHECKS: Record<string, (value: unknown, input: CallInput) => void> = {
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
};

describe('prism proxy --errors in front of the mock server', () => {
  let clock: ManualClock;
  let mock: MockServer;
  let running: RunningMockServer | undefined;
  let prism: PrismProcess | undefined;
  /** One line per request that reached the mock (`GET /lumixai/api/backend/v1/models 200 1.2ms`). */
  const mockRequests: string[] = [];
  const exercised = new Set<string>();

  beforeAll(async () => {
    clock = new ManualClock();
    mock = createMockServer({ clock, timing: JOB_TIMING, log: (line) => mockRequests.push(line) });
    running = await serve(mock, { port: 0, host: '127.0.0.1' });
    prism = await startPrism(['proxy', LUMIXAI_SPEC_PATH, running.baseUrl('lumixai'), '--errors']);
  });

  afterAll(async () => {
    // Both, even if one of them fails to stop.
    await Promise.allSettled([prism?.stop(), running?.close()]);
  });

  beforeEach(() => {
    // Every test starts in a fresh rate-limit minute for the rpm_2 key (result retention is an hour).
    clock.advance(61_000);
  });

  const prismUrl = () => prism!.url;
  const context = () => `--- mock violations ---\n${JSON.stringify(mock.violations, null, 2)}\n--- prism output ---\n${prism?.tail(30) ?? ''}`;

  function clientFor(key: string | undefined, log: Exchange[], change?: Tamper, retry = false): LumixAIClient {
    return createLumixAIClient({
      apiKey: key,
      // Prism serves the spec's paths at its root: the `/api/backend` server path is not part of
      // its routes; it is already in the upstream URL (the mock's base URL), where Prism appends them.
      baseUrl: prismUrl(),
      retry: retry ? { baseDelayMs: 10 } : false,
      fetch: recordingFetch(log, change),
    });
  }

  /** waitForJob's pause between polls: a step of the mock's clock instead of real time. */
  const mockTimeSleep = async (): Promise<void> => {
    clock.advance(500);
  };

  /** Advances the mock's clock in small steps until `call` answers. */
  const settle: Settle = async (call) => {
    let settled = false;
    call.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!settled) clock.advance(500);
    }
    return call;
  };

  /** Creates a job through Prism with the dev key and polls it (on mock time) until it is done. */
  async function finishedJob(log: Exchange[]): Promise<{ id: string; downloadUrl: string }> {
    const client = clientFor(KEYS.dev, log);
    const created = await client.createJob(VALID_BODY);
    const done = await within(
      10_000,
      client.waitForJob(created.id, { intervalMs: 500, sleep: mockTimeSleep, timeoutMs: 10_000 }),
      'waitForJob did not finish on mock time: are WaitOptions (sleep, intervalMs) passed through?',
    );
    return { id: done.id, downloadUrl: done.data[0]!.download_url };
  }

  describe('every documented (operation, status) pair, provoked for real', () => {
    const cases = spec.responses.map((response) => ({
      title: `${pairName(response)}: ${SCENARIOS[response.status]?.how ?? 'NO SCENARIO'}`,
      response,
    }));

    test.each(cases)('$title', async ({ response }) => {
      const scenario = SCENARIOS[response.status];
      const call = CALLS[response.operationId];
      expect(scenario, `no scenario says how to provoke ${response.status}`).toBeDefined();
      expect(call, `no call for operation ${response.operationId}`).toBeDefined();
      const plan = scenario!.plan(response);
      const status = Number(response.status);

      const setupLog: Exchange[] = [];
      const log: Exchange[] = [];
      const client = clientFor(plan.key, log, tamper({ headers: plan.headers, query: plan.query }));
      const takesId = response.pathParams.includes('id');
      const job = takesId && plan.id === 'finished-job' ? await finishedJob(setupLog) : { id: randomUUID(), downloadUrl: '' };
      const input: CallInput = {
        body: plan.body ?? VALID_BODY,
        id: job.id,
        downloadUrl: job.downloadUrl || `/v1/images/results/${job.id}/download`,
        idempotencyKey: plan.sameKeyFirst ? randomUUID() : undefined,
      };

      if (plan.sameKeyFirst) {
        await call!(clientFor(plan.key, setupLog), { ...input, body: plan.sameKeyFirst }, settle);
      }
      for (let attempt = 1; attempt < (plan.times ?? 1); attempt++) {
        await call!(client, input, settle).catch(() => undefined);
        expect(log.at(-1)?.status, `attempt ${attempt} of ${plan.times} must not be limited yet`).not.toBe(status);
      }
      const outcome = await call!(client, input, settle).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );

      const last = log.at(-1);
      expect(last, 'the call sent no request').toBeDefined();
      assertNoPrismViolation([...setupLog, ...log], context());
      expect(last!.status).toBe(status);
      for (const header of response.requiredHeaders) {
        expect(last!.headers.get(header), `required response header ${header}`).not.toBeNull();
      }
      if (status < 400) {
        expect(outcome.ok ? undefined : outcome.error).toBeUndefined();
        SUCCESS_CHECKS[response.operationId]?.(outcome.ok ? outcome.value : undefined, input);
      } else {
        expect(response.errorType, 'the spec documents an error.type for every error status').toBeDefined();
        expect(outcome.ok).toBe(false);
        const error = outcome.ok ? undefined : outcome.error;
        expect(error).toBeInstanceOf(LumixAIError);
        expect((error as LumixAIError).status).toBe(status);
        expect((error as LumixAIError).code).toBe(response.errorType);
        if (status === 429) expect((error as LumixAIError).retryAfterMs).toBeGreaterThan(0);
      }
      expect(mock.violations).toEqual([]);
      exercised.add(pairName(response));
    });

    test('coverage: every (operation, status) pair of the spec has a scenario and was exercised', () => {
      const documented = spec.responses.map(pairName);
      expect(documented.length).toBeGreaterThan(0);
      expect(Object.keys(CALLS).sort()).toEqual([...new Set(spec.responses.map((r) => r.operationId))].sort());
      expect(documented.filter((pair) => SCENARIOS[pair.split(' ')[1]!] === undefined), 'pairs without a scenario').toEqual([]);
      expect(documented.filter((pair) => !exercised.has(pair)), 'pairs not exercised (or failed)').toEqual([]);
    });
  });

  describe('whole flows', () => {
    test('generateAndDownload with the default retrying client: a real PNG, as Prism relays it', async () => {
      const log: Exchange[] = [];
      const client = clientFor(KEYS.dev, log, undefined, true);
      const { job, image } = await within(
        10_000,
        client.generateAndDownload(VALID_BODY, { wait: { intervalMs: 500, sleep: mockTimeSleep } }),
        'generateAndDownload did not finish on mock time',
      );
      assertNoPrismViolation(log, context());
      expect(job.status).toBe('done');
      expect(image.contentType).toBe('image/png');
      expect(image.filename).toBe(`lumixai-${job.id}.png`);
      const contentDisposition = log.at(-1)!.headers.get('content-disposition');
      expect(contentDisposition).toBe(`attachment; filename="lumixai-${job.id}.png"`);

      // The same result straight from the mock: a real PNG.
      const direct = await createLumixAIClient({ apiKey: KEYS.dev, baseUrl: running!.baseUrl('lumixai'), retry: false })
        .download(job.data[0]!.download_url);
      expect([...direct.bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(direct.filename).toBe(image.filename);
      // Prism 5.14's proxy reads every non-JSON upstream body with `response.text()` and sends the
      // string back (prism-http forwarder/parseResponse), so each byte >= 0x80 that is not valid
      // UTF-8 arrives as U+FFFD: what the client gets is exactly the UTF-8 round trip of the PNG.
      // Known upstream: stoplightio/prism#2349 (proxy modifying files), #1321 (binary bodies).
      const utf8RoundTrip = new Uint8Array(Buffer.from(Buffer.from(direct.bytes).toString('utf8'), 'utf8'));
      expect(image.bytes).toEqual(utf8RoundTrip);
      expect(image.bytes).not.toEqual(direct.bytes);
      expect(mock.violations).toEqual([]);
    });

    test('a polled job shows pending, running and done, and each view passes Prism', async () => {
      const log: Exchange[] = [];
      const client = clientFor(KEYS.dev, log);
      const created = await client.createJob(VALID_BODY);
      expect(created.status).toBe('pending');
      const statuses = [(await client.getJob(created.id)).status];
      // Not downloadable before it is done: the documented 404, not a half-written file.
      const early = await client.download(`/v1/images/results/${created.id}/download`).catch((error: unknown) => error);
      expect(early).toMatchObject({ status: 404, code: 'resource_not_found_error' });
      clock.advance(JOB_TIMING.queuedMs);
      statuses.push((await client.getJob(created.id)).status);
      clock.advance(JOB_TIMING.runningMs);
      const done = await client.getJob(created.id);
      statuses.push(done.status);
      expect(statuses).toEqual(['pending', 'running', 'done']);
      expect(done).toMatchObject({ completed: expect.any(Number), data: [{ download_url: expect.stringMatching(DOWNLOAD_URL) }] });
      assertNoPrismViolation(log, context());
      expect(mock.violations).toEqual([]);
    });

    test('the same Idempotency-Key and body returns the original job, through Prism', async () => {
      const log: Exchange[] = [];
      const client = clientFor(KEYS.dev, log);
      const idempotencyKey = randomUUID();
      const first = await client.createJob(VALID_BODY, { idempotencyKey });
      const again = await client.createJob(VALID_BODY, { idempotencyKey });
      expect(again).toEqual(first);
      const sync = await settle(client.generate(OTHER_BODY, { idempotencyKey }));
      const syncAgain = await client.generate(OTHER_BODY, { idempotencyKey });
      expect(syncAgain).toEqual(sync);
      assertNoPrismViolation(log, context());
      expect(mock.violations).toEqual([]);
    });

    test('a job that fails upstream ends in status error and waitForJob says so', async () => {
      const log: Exchange[] = [];
      const client = clientFor(KEYS.dev, log, tamper({ headers: { Prefer: 'job-status=error' } }));
      const created = await client.createJob(VALID_BODY);
      const failure = await within(
        10_000,
        client.waitForJob(created.id, { intervalMs: 500, sleep: mockTimeSleep }),
        'waitForJob did not finish on mock time',
      ).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(LumixAIJobFailedError);
      const failed = (failure as LumixAIJobFailedError).job;
      expect(failed).toMatchObject({ id: created.id, status: 'error', completed: expect.any(Number) });
      expect(failed.error).toMatch(/failed/i);
      expect(failed.data).toBeUndefined();
      assertNoPrismViolation(log, context());
      expect(mock.violations).toEqual([]);
    });
  });

  describe("Prism's own answers: request violations are refused before they reach the mock", () => {
    /** Sends one request with `key` (`null`: none) and checks that it never reached the mock. */
    async function refused(send: (client: LumixAIClient) => Promise<unknown>, key: string | null = KEYS.dev) {
      const log: Exchange[] = [];
      const before = mockRequests.length;
      const error = await send(clientFor(key ?? undefined, log)).catch((caught: unknown) => caught);
      expect(mockRequests.slice(before), 'requests that reached the mock').toEqual([]);
      expect(log).toHaveLength(1);
      return { exchange: log[0]!, error };
    }

    test('no X-API-Key: 401 problem+json #UNAUTHORIZED from Prism, not the vendor envelope', async () => {
      const { exchange, error } = await refused((client) => client.createJob(VALID_BODY), null);
      expect(exchange.status).toBe(401);
      expect(exchange.problem?.type).toBe(`${PRISM_ERRORS}UNAUTHORIZED`);
      expect(slViolations(exchange.headers)).toEqual([]);
      expect(error).toBeInstanceOf(LumixAIError);
      expect(error).toMatchObject({ status: 401, code: undefined });
    });

    test('a schema-invalid body: 422 problem+json #UNPROCESSABLE_ENTITY, not the documented 400', async () => {
      const invalid = { model: VALID_BODY.model } as ImageGenerationRequest;
      const { exchange, error } = await refused((client) => client.createJob(invalid));
      expect(exchange.status).toBe(422);
      expect(exchange.problem).toMatchObject({
        type: `${PRISM_ERRORS}UNPROCESSABLE_ENTITY`,
        validation: [{ location: ['body'], severity: 'Error', code: 'required' }],
      });
      expect(slViolations(exchange.headers)).toEqual([]);
      expect(error).toMatchObject({ status: 422, code: undefined });
    });

    test('a malformed job id: 422 #UNPROCESSABLE_ENTITY for the path parameter', async () => {
      const { exchange } = await refused((client) => client.getJob('not-a-uuid'));
      expect(exchange.status).toBe(422);
      expect(exchange.problem).toMatchObject({
        type: `${PRISM_ERRORS}UNPROCESSABLE_ENTITY`,
        validation: [{ location: ['path', 'id'], severity: 'Error', code: 'format' }],
      });
    });

    test("the spec's /api/backend server path is not one of Prism's routes: it lives in the upstream URL", async () => {
      const before = mockRequests.length;
      const withBasePath = await fetch(`${prismUrl()}${spec.serverUrl}/v1/models`);
      expect(withBasePath.status).toBe(404);
      expect(await withBasePath.json()).toMatchObject({ type: `${PRISM_ERRORS}NO_PATH_MATCHED_ERROR` });
      expect(mockRequests.slice(before)).toEqual([]);

      const atRoot = await fetch(`${prismUrl()}/v1/models`);
      expect(atRoot.status).toBe(200);
      expect(atRoot.headers.get('sl-violations')).toBeNull();
      await atRoot.arrayBuffer();
      expect(mockRequests.slice(before)).toEqual([expect.stringMatching(/^GET \/lumixai\/api\/backend\/v1\/models 200 /)]);
    });
  });

  test('the mock recorded no spec violation and Prism logged none during the whole run', () => {
    expect(mock.violations).toEqual([]);
    const output = prism!.output();
    const violationLines = output.split('\n').filter((line) => /Violation:|#VIOLATIONS/.test(line));
    expect(violationLines).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The detector above must be able to fail: a stub upstream that breaks the spec on purpose, behind
// a second Prism proxy, shows exactly how each kind of violation arrives at the client.
// ---------------------------------------------------------------------------------------------

interface Canned {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

describe('prism proxy --errors in front of a stub that breaks the spec (the detector can fail)', () => {
  let stub: http.Server | undefined;
  let prism: PrismProcess | undefined;
  let next: Canned = { status: 500, headers: {}, body: '' };

  beforeAll(async () => {
    stub = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(next.status, next.headers).end(next.body));
    });
    await new Promise<void>((resolve, reject) => {
      stub!.once('error', reject);
      stub!.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = stub.address() as AddressInfo;
    prism = await startPrism(['proxy', LUMIXAI_SPEC_PATH, `http://127.0.0.1:${port}/api/backend`, '--errors']);
  });

  afterAll(async () => {
    await Promise.allSettled([
      prism?.stop(),
      new Promise<void>((resolve) => {
        if (!stub) return resolve();
        stub.close(() => resolve());
        stub.closeAllConnections();
      }),
    ]);
  });

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Canned => ({
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const id = '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30';

  const BROKEN: Array<{
    name: string;
    respond: Canned;
    call: (client: LumixAIClient) => Promise<unknown>;
    status: number;
    problem: boolean;
    violation: { location: string[]; severity: string; code?: string };
  }> = [
    {
      name: 'a 429 without its required Retry-After header',
      respond: json(429, { error: { type: 'rate_limit_error', message: 'slow down' } }),
      call: (client) => client.createJob(VALID_BODY),
      status: 500,
      problem: true,
      violation: { location: ['response', 'header'], severity: 'Error', code: 'required' },
    },
    {
      name: 'a download whose Content-Disposition is not an attachment',
      respond: { status: 200, headers: { 'Content-Type': 'image/png', 'Content-Disposition': 'inline' }, body: Buffer.from(PNG_SIGNATURE) },
      call: (client) => client.download(`/v1/images/results/${id}/download`),
      status: 500,
      problem: true,
      violation: { location: ['response', 'header', 'content-disposition'], severity: 'Error', code: 'pattern' },
    },
    {
      name: 'an error envelope with the wrong error.type for its status',
      respond: json(404, { error: { type: 'not_found', message: 'gone' } }),
      call: (client) => client.getJob(id),
      status: 500,
      problem: true,
      violation: { location: ['response', 'body', 'error', 'type'], severity: 'Error', code: 'enum' },
    },
    {
      // Only a Warning: the upstream answer is let through, marked by the header alone. This is
      // how a mock-server bug (its own 500 `mockServerBug` answer) would look through Prism.
      name: 'a status the operation does not document',
      respond: json(500, { mockServerBug: 'response violates the spec' }),
      call: (client) => client.getJob(id),
      status: 500,
      problem: false,
      violation: { location: ['response'], severity: 'Warning' },
    },
  ];

  test.each(BROKEN)('$name', async ({ respond, call, status, problem, violation }) => {
    next = respond;
    const log: Exchange[] = [];
    const client = createLumixAIClient({ apiKey: KEYS.dev, baseUrl: prism!.url, retry: false, fetch: recordingFetch(log) });
    await call(client).catch(() => undefined);
    expect(log).toHaveLength(1);
    const exchange = log[0]!;
    expect(exchange.status).toBe(status);
    expect(slViolations(exchange.headers)).toContainEqual(expect.objectContaining(violation));
    if (problem) {
      expect(exchange.problem).toMatchObject({
        type: `${PRISM_ERRORS}VIOLATIONS`,
        status: 500,
        validation: expect.arrayContaining([expect.objectContaining(violation)]),
      });
    } else {
      expect(exchange.problem).toBeUndefined();
    }
    expect(prismSignalsOf(exchange).length).toBeGreaterThan(0);
    expect(() => assertNoPrismViolation(log)).toThrow(/Prism reported contract violations/);
  });
});
