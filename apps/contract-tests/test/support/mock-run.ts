// Each suite's typed client against `prism mock`: a server that knows nothing but the spec. If the
// client works here, it works against any server that honours the spec, not only our mock.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { loadContract, pairName } from './contract.js';
import { assertNoPrismViolation, recordingFetch, tamper } from './exchanges.js';
import type { Exchange } from './exchanges.js';
import { prismHandle, startAll } from './prism.js';
import type { PrismHandle, PrismProcess } from './prism.js';
import { ANSWERS_AT_ONCE, expectVendorError } from './suite.js';
import type { ContractSuite, PrismMockContext, RegisteredSuite, SuiteTypes } from './suite.js';

/** Registers the Prism mock tests of every suite: one `prism mock` per API, all started at once. */
export function describePrismMockRun(suites: readonly RegisteredSuite[]): void {
  const handles: PrismHandle[] = [];
  beforeAll(() => startAll(handles));
  // Also those whose describe did not run (a filtered run).
  afterAll(() => Promise.all(handles.map((handle) => handle.stop())));
  for (const entry of suites) entry.use((suite) => handles.push(describeSuite(suite)));
}

function describeSuite<T extends SuiteTypes>(suite: ContractSuite<T>): PrismHandle {
  const contract = loadContract(suite.slug, suite.errorCodeOf);
  const handle = prismHandle(() => ['mock', contract.specPath]);

  describe(`${suite.slug}: the client against prism mock (the spec alone)`, () => {
    let prism: PrismProcess | undefined;

    beforeAll(async () => {
      prism = await handle.start();
    });

    afterAll(async () => {
      await handle.stop();
    });

    /**
     * Runs `body` with a fresh exchange log, then checks it: in mock mode Prism validates the
     * request too and reports any violation in `sl-violations` (it does not refuse it), so a clean
     * log means every request the client sent was spec-valid.
     */
    async function assertCleanLog(body: (context: PrismMockContext<T>) => Promise<void>): Promise<void> {
      const log: Exchange[] = [];
      await body({
        contract,
        prismUrl: prism!.url,
        log,
        // Prism's routes are the spec's paths, without the spec's server path.
        client: ({ prefer, retry = false } = {}) =>
          suite.client({
            baseUrl: prism!.url,
            key: suite.devKey,
            retry,
            fetch: recordingFetch(log, prefer ? tamper({ headers: { Prefer: prefer } }) : undefined),
          }),
      });
      assertNoPrismViolation(log, `--- prism output ---\n${prism?.tail(20) ?? ''}`);
    }

    for (const flow of suite.mockFlows) {
      test(`${flow.name}`, () => assertCleanLog((context) => flow.run(context)));
    }

    describe(`every documented error, as Prism serves its example, maps to ${suite.ErrorClass.name}`, () => {
      for (const pair of contract.responses.filter((response) => Number(response.status) >= 400)) {
        test(`${pairName(pair)} via Prefer: code`, () =>
          assertCleanLog(async (context) => {
            const call = suite.calls[pair.operationId as T['operation']];
            expect(call, `no call for ${pair.operationId}`).toBeDefined();
            const failure = await call(context.client({ prefer: `code=${pair.status}` }), suite.sampleInput, ANSWERS_AT_ONCE).catch(
              (error: unknown) => error,
            );
            expectVendorError(suite, failure, Number(pair.status), pair.errorCode);
            // Prism sends the header's example: the client must read it as documented (seconds).
            const retryAfter = contract.headerExample(pair, 'retry-after');
            if (retryAfter !== undefined) expect(failure.retryAfterMs).toBe(Number(retryAfter) * 1000);
          }));
      }
    });
  });
  return handle;
}
