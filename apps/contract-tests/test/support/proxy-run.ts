// Each suite's typed client talks to the mock server through `prism proxy --errors`, which checks
// every request and every response against the API's spec. Every (operation, status) pair the spec
// documents is provoked as the suite's scenario says and must pass Prism untouched: spec, client
// and mock agree. One mock server serves every API for the whole run; one Prism per API.
import { API_SLUGS, ManualClock, createMockServer, formatMockEvent, serve } from '@imagegen/mock-server';
import type { MockServer, MockServerOptions, RunningMockServer } from '@imagegen/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';

import { loadContract, pairName } from './contract.js';
import type { DocumentedResponse } from './contract.js';
import { PRISM_ERRORS, assertNoPrismViolation, recordingFetch, slViolations, tamper } from './exchanges.js';
import type { Exchange } from './exchanges.js';
import { prismHandle, startAll } from './prism.js';
import type { PrismHandle, PrismProcess } from './prism.js';
import { ANSWERS_AT_ONCE, expectVendorError, scenarioFor } from './suite.js';
import type { ClientRequest, ContractSuite, Plan, ProxyContext, Refusal, RegisteredSuite, Settle, SuiteTypes } from './suite.js';

/** Every job queues this long, then runs this long, on the mock's manual clock. */
const JOB_TIMING = { queuedMs: 1_000, runningMs: 2_000 };
/** One step of mock time: a wait loop's pause, and how far `settle` moves the clock at a time. */
const MOCK_TIME_STEP_MS = 500;

/** The one mock server of the run, as the suites see it. */
interface MockEnv {
  clock: ManualClock;
  mock(): MockServer;
  running(): RunningMockServer;
  /** One line per request that reached the mock (`GET /lumixai/api/backend/v1/models 200 1.2ms`). */
  mockRequests: string[];
}

/** Registers the proxy tests of every suite, behind one mock server. */
export function describeProxyRun(suites: readonly RegisteredSuite[]): void {
  describe('prism proxy --errors in front of the mock server', () => {
    const clock = new ManualClock();
    const mockRequests: string[] = [];
    let mock: MockServer | undefined;
    let running: RunningMockServer | undefined;

    beforeAll(async () => {
      const apis = Object.fromEntries(suites.map((entry) => entry.use((suite) => [suite.slug, suite.mockConfig])));
      mock = createMockServer({
        clock,
        timing: JOB_TIMING,
        // Request lines only: the job lines would interleave with them.
        onEvent: (event) => (event.type === 'request' ? mockRequests.push(formatMockEvent(event)) : undefined),
        apis: apis as MockServerOptions['apis'],
      });
      running = await serve(mock, { port: 0, host: '127.0.0.1' });
      // Every API's Prism starts now, at once; each suite awaits its own.
      startAll(handles);
    });

    afterAll(async () => {
      // Also those whose describe did not run (a filtered run); Prism before its upstream.
      await Promise.all(handles.map((handle) => handle.stop()));
      await running?.close();
    });

    const env: MockEnv = { clock, mock: () => mock!, running: () => running!, mockRequests };
    const handles = suites.map((entry) => entry.use((suite) => describeSuite(suite, env)));

    test('every API the mock server serves has a contract suite (test/apis/<slug>.ts)', () => {
      expect(suites.map((suite) => suite.slug).sort()).toEqual([...API_SLUGS].sort());
    });

    test('the mock recorded no spec violation during the whole run', () => {
      expect(mock!.violations).toEqual([]);
    });
  });
}

function describeSuite<T extends SuiteTypes>(suite: ContractSuite<T>, env: MockEnv): PrismHandle {
  const contract = loadContract(suite.slug, suite.errorCodeOf);
  const handle = prismHandle(() => ['proxy', contract.specPath, env.running().baseUrl(suite.slug), '--errors']);

  describe(`${suite.slug}`, () => {
    let prism: PrismProcess | undefined;
    const exercised = new Set<string>();

    beforeAll(async () => {
      prism = await handle.start();
    });

    afterAll(async () => {
      await handle.stop();
    });

    beforeEach(() => {
      // Every test starts in a fresh rate-limit window of this API's keys.
      env.clock.advance(suite.rateLimitWindowMs + 1_000);
    });

    const failureContext = () =>
      `--- mock violations ---\n${JSON.stringify(env.mock().violations, null, 2)}\n--- prism output ---\n${prism?.tail(30) ?? ''}`;

    function clientFor(log: Exchange[], request: ClientRequest = {}): T['client'] {
      const { headers, query } = request;
      return suite.client({
        // Prism serves the spec's paths at its root: the spec's server path is not part of its
        // routes; it is already in the upstream URL (the mock's base URL), where Prism appends them.
        baseUrl: request.target === 'mock' ? env.running().baseUrl(suite.slug) : prism!.url,
        key: request.key,
        retry: request.retry ?? false,
        fetch: recordingFetch(log, headers || query ? tamper({ headers, query }) : undefined),
      });
    }

    /** Advances the mock's clock in steps until `call` answers. */
    const settle: Settle = async (call) => {
      let settled = false;
      call.then(
        () => (settled = true),
        () => (settled = true),
      );
      while (!settled) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (!settled) env.clock.advance(MOCK_TIME_STEP_MS);
      }
      return call;
    };

    const contextFor = (log: Exchange[]): ProxyContext<T> => ({
      contract,
      mock: env.mock(),
      clock: env.clock,
      timing: JOB_TIMING,
      client: (request) => clientFor(log, request),
      sleep: async () => {
        env.clock.advance(MOCK_TIME_STEP_MS);
      },
      settle,
      log,
      mockBaseUrl: env.running().baseUrl(suite.slug),
      mockUrl: env.running().url,
    });

    const callOf = (pair: DocumentedResponse) => suite.calls[pair.operationId as T['operation']];

    describe('every documented (operation, status) pair, provoked for real', () => {
      const cases = [
        ...contract.responses.map((pair) => {
          const scenario = scenarioFor(suite, pair);
          const plan = scenario && ((documented: DocumentedResponse) => scenario.plan(documented));
          return { title: `${pairName(pair)}: ${scenario?.how ?? 'NO SCENARIO'}`, name: pairName(pair), plan };
        }),
        ...(suite.extraCases ?? []).map((extra) => ({ title: `${extra.pair}: ${extra.how}`, name: extra.pair, plan: () => extra.plan })),
      ];

      for (const { title, name, plan: planFor } of cases) {
        test(`${title}`, async () => {
          const pair = contract.responses.find((response) => pairName(response) === name);
          expect(pair, `${name} is not a documented pair`).toBeDefined();
          expect(planFor, `no scenario says how to provoke ${name}`).toBeDefined();
          const call = callOf(pair!);
          expect(call, `no call for operation ${pair!.operationId}`).toBeDefined();
          await provoke(pair!, planFor!(pair!), call);
          exercised.add(name);
        });
      }

      async function provoke(pair: DocumentedResponse, plan: Plan<T>, call: (typeof suite.calls)[T['operation']]) {
        const status = Number(pair.status);
        const setupLog: Exchange[] = [];
        const log: Exchange[] = [];
        const input = await suite.prepare(plan, pair, {
          ...contextFor(setupLog),
          call: (client, callInput) => call(client, callInput, { settle }),
        });
        const client = clientFor(log, { key: plan.key, headers: plan.headers, query: plan.query });
        const times = plan.times ?? 1;
        for (let attempt = 1; attempt < times; attempt++) {
          await call(client, input, { settle }).catch(() => undefined);
          expect(log.at(-1)?.status, `attempt ${attempt} of ${times} must not get ${status} yet`).not.toBe(status);
        }
        const outcome = await call(client, input, { settle }).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        );

        const last = log.at(-1);
        expect(last, 'the call sent no request').toBeDefined();
        assertNoPrismViolation([...setupLog, ...log], failureContext());
        expect(last!.status).toBe(status);
        for (const header of pair.requiredHeaders) {
          expect(last!.headers.get(header), `required response header ${header}`).not.toBeNull();
        }
        const fails = plan.fails ?? (status >= 400 ? { code: pair.errorCode } : undefined);
        if (fails === undefined) {
          expect(outcome.ok ? undefined : outcome.error).toBeUndefined();
          suite.successChecks[pair.operationId as T['operation']](outcome.ok ? outcome.value : undefined, input);
        } else if ('throws' in fails) {
          expect(outcome.ok ? undefined : outcome.error, `the call must throw ${fails.throws.name}`).toBeInstanceOf(fails.throws);
        } else {
          if (status >= 400 && !suite.errorsWithoutCode) {
            expect(pair.errorCode, 'the spec pins an error code for every error status').toBeDefined();
          }
          const error = outcome.ok ? undefined : outcome.error;
          expectVendorError(suite, error, status, fails.code);
          if (pair.requiredHeaders.includes('retry-after')) expect(error.retryAfterMs).toBeGreaterThan(0);
        }
        expect(env.mock().violations).toEqual([]);
      }

      test('coverage: every (operation, status) pair of the spec has a scenario and was exercised', () => {
        const documented = contract.responses.map(pairName);
        expect(documented.length).toBeGreaterThan(0);
        expect(Object.keys(suite.calls).sort()).toEqual([...new Set(contract.responses.map((r) => r.operationId))].sort());
        const withoutScenario = contract.responses.filter((pair) => scenarioFor(suite, pair) === undefined).map(pairName);
        expect(withoutScenario, 'pairs without a scenario').toEqual([]);
        expect(documented.filter((pair) => !exercised.has(pair)), 'pairs not exercised (or failed)').toEqual([]);
        const unused = Object.keys(suite.scenarios).filter((key) => !contract.responses.some((r) => key === r.status || key === pairName(r)));
        expect(unused, 'scenario rows no documented pair uses').toEqual([]);
      });
    });

    describe('whole flows', () => {
      for (const flow of suite.flows) {
        test(`${flow.name}`, async () => {
          const log: Exchange[] = [];
          await flow.run(contextFor(log));
          assertNoPrismViolation(log, failureContext());
          expect(env.mock().violations).toEqual([]);
        });
      }
    });

    describe("Prism's own answers: request violations are refused before they reach the mock", () => {
      const secured = contract.responses.find((pair) => pair.secured);
      const noCredentials: Array<Refusal<T>> = secured
        ? [
            {
              name: `no credentials (${secured.operationId}): 401 problem+json #UNAUTHORIZED from Prism, not the vendor's error body`,
              key: null,
              send: (client) => callOf(secured)(client, suite.sampleInput, ANSWERS_AT_ONCE),
              status: 401,
              problem: 'UNAUTHORIZED',
            },
          ]
        : [];

      for (const refusal of [...noCredentials, ...suite.refusals]) {
        test(`${refusal.name}`, async () => {
          const log: Exchange[] = [];
          const before = env.mockRequests.length;
          const key = refusal.key === null ? undefined : (refusal.key ?? suite.devKey);
          const error = await refusal.send(clientFor(log, { key })).catch((caught: unknown) => caught);
          expect(env.mockRequests.slice(before), 'requests that reached the mock').toEqual([]);
          expect(log).toHaveLength(1);
          const exchange = log[0]!;
          expect(exchange.status).toBe(refusal.status);
          expect(exchange.problem).toMatchObject({
            type: `${PRISM_ERRORS}${refusal.problem}`,
            ...(refusal.validation ? { validation: refusal.validation } : {}),
          });
          expect(slViolations(exchange.headers)).toEqual([]);
          expectVendorError(suite, error, refusal.status, undefined);
        });
      }

      test("requests go to Prism's root: the spec's server path lives in the upstream URL", async () => {
        // A read if there is one: the sample request then changes nothing at the mock.
        const first = contract.responses.find((pair) => pair.method === 'GET') ?? contract.responses[0]!;
        const before = env.mockRequests.length;
        if (contract.basePath !== '') {
          const concretePath = first.path.replace(/\{[^}]+\}/g, 'x');
          const withBasePath = await fetch(`${prism!.url}${contract.basePath}${concretePath}`, { method: first.method });
          expect(withBasePath.status).toBe(404);
          expect(await withBasePath.json()).toMatchObject({ type: `${PRISM_ERRORS}NO_PATH_MATCHED_ERROR` });
          expect(env.mockRequests.slice(before)).toEqual([]);
        }

        const log: Exchange[] = [];
        await callOf(first)(clientFor(log, { key: suite.devKey }), suite.sampleInput, { settle }).catch(() => undefined);
        assertNoPrismViolation(log, failureContext());
        const documented = contract.responses.filter((pair) => pair.operationId === first.operationId).map((pair) => pair.status);
        expect(documented, 'the sample request got a status its operation documents').toContain(String(log.at(-1)?.status));
        const mockBasePath = new URL(env.running().baseUrl(suite.slug)).pathname;
        const route = `${escapeRegExp(mockBasePath)}${first.path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/ ]+')}`;
        expect(env.mockRequests.slice(before)).toEqual([expect.stringMatching(new RegExp(`^${first.method} ${route} ${log.at(-1)?.status} `))]);
      });
    });

    test('Prism logged no violation during the whole run', () => {
      const violationLines = prism!.output().split('\n').filter((line) => /Violation:|#VIOLATIONS/.test(line));
      expect(violationLines).toEqual([]);
    });
  });
  return handle;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
