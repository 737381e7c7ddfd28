// What one API's contract suite says, as data: how each documented status is provoked, how the
// typed client calls each operation, what success looks like, and the flows worth a test of their
// own. The runners (proxy-run.ts, mock-run.ts, control-run.ts) turn it into tests; README.md says
// how a new API adds its suite.
import type { ApiError } from '@imagegen/client-kit';
import type { ApiConfigs, ApiSlug, JobTiming, ManualClock, MockServer } from '@imagegen/mock-server';
import { expect } from 'vitest';

import type { Contract, DocumentedResponse, ErrorCode, ErrorCodeReader } from './contract.js';
import type { Exchange, PrismViolation } from './exchanges.js';

/** The types one suite is written in; given once, as `defineSuite<Types>({ ... })`. */
export interface SuiteTypes {
  slug: ApiSlug;
  /** The vendor's typed client. */
  client: unknown;
  /** The vendor's own plan fields (bodies, ids, ...), on top of {@link PlanBase}. */
  plan: object;
  /** What a call needs (a body, an id, a URL ...): built by `prepare`, handed to `calls`. */
  input: unknown;
  /** Every operationId of the spec, e.g. `keyof operations` of the generated types. */
  operation: string;
}

/** How the runner asks the suite for a client. */
export interface ClientOptions {
  /** Prism's URL, or the mock's base URL of this API. */
  baseUrl: string;
  /** The credential to send; `undefined` must send none. */
  key: string | undefined;
  /** Records the exchange (and applies the plan's headers and query): always pass it through. */
  fetch: typeof fetch;
  /** Whether the client retries as it does by default; when true, suites should pass short delays. */
  retry: boolean;
}

/** Moves the mock's clock along while a call waits on it (synchronous generation does). */
export type Settle = <T>(call: Promise<T>) => Promise<T>;

export interface CallContext {
  /** Against the mock: steps its clock until the call answers. Against Prism mock or a stub: the call itself. */
  settle: Settle;
}

/** For servers that answer at once (Prism mock, a stub): nothing to move along. */
export const ANSWERS_AT_ONCE: CallContext = { settle: (call) => call };

/** One operation, invoked through the client's own helper (never hand-written HTTP). */
export type Call<T extends SuiteTypes> = (client: T['client'], input: T['input'], context: CallContext) => Promise<unknown>;

/** How one (operation, status) pair is provoked: the generic part of a plan. */
export interface PlanBase {
  /** The credential the client sends; `undefined` sends none. */
  key: string | undefined;
  /** Extra request headers (`Prefer: code=503`, `Prefer: job-status=failed` ...). Default: none. */
  headers?: Record<string, string>;
  /** Extra query parameters (requests without a body only). Default: none. */
  query?: Record<string, string>;
  /** Send the request this many times; the last answer is the one checked, the earlier ones must not have that status. Default: 1. */
  times?: number;
  /**
   * The call must throw the vendor's error with this code although the status is below 400 (an
   * error a vendor sends as HTTP 200, like LumozAI's `success: false`), or, with `throws`, an error
   * of that class instead (a failed job the client reports as its `JobFailedError`). Default:
   * statuses >= 400 fail with the code the spec pins, the others succeed.
   */
  fails?: { code: ErrorCode | undefined } | { throws: abstract new (...args: never[]) => Error };
}

export type Plan<T extends SuiteTypes> = PlanBase & T['plan'];

export interface Scenario<T extends SuiteTypes> {
  /** One line for the test title: how the status is provoked. */
  how: string;
  plan(pair: DocumentedResponse): Plan<T>;
}

/** A second way to reach a documented pair (a 200 that carries a failure ...), run like the pair itself. */
export interface ExtraCase<T extends SuiteTypes> {
  /** The pair's name, `operationId status`. */
  pair: string;
  how: string;
  plan: Plan<T>;
}

/** What a request made through {@link ProxyContext.client} looks like. */
export interface ClientRequest {
  /** Default: none. */
  key?: string;
  /** Default: none. */
  headers?: Record<string, string>;
  /** Default: none. */
  query?: Record<string, string>;
  /** Default: false (every request once). */
  retry?: boolean;
  /** `mock`: straight to the mock, e.g. to compare bytes or fetch a presigned URL. Default: `prism`. */
  target?: 'prism' | 'mock';
}

/** What prepare, calls and flows get while the mock server stands behind `prism proxy --errors`. */
export interface ProxyContext<T extends SuiteTypes> extends CallContext {
  contract: Contract;
  /** The mock server itself (in-process views such as its recorded violations), shared by every suite of the run. */
  mock: MockServer;
  /** The mock's clock: `advance()` moves jobs, rate-limit windows and expiry on. */
  clock: ManualClock;
  /** How long every job queues and runs on that clock. */
  timing: JobTiming;
  /** A client whose exchanges land in {@link log}; the runner checks them for Prism signals after the test. */
  client(request?: ClientRequest): T['client'];
  /** A `sleep` for the client's wait loops: one step of mock time instead of real time. */
  sleep: () => Promise<void>;
  /** The exchanges of this test (a pair's setup has its own log). */
  log: Exchange[];
  /** This API's base URL at the mock, e.g. `http://127.0.0.1:4010/lumixai/api/backend`. */
  mockBaseUrl: string;
  /** The mock's origin, for routes outside the spec (presigned downloads, result files). */
  mockUrl: string;
}

/** What `prepare` gets: its client records into the pair's setup log. */
export interface PrepareContext<T extends SuiteTypes> extends ProxyContext<T> {
  /** The pair's own operation, as `calls` invokes it. */
  call(client: T['client'], input: T['input']): Promise<unknown>;
}

/** What mock flows get while `prism mock` (the spec alone) answers. */
export interface PrismMockContext<T extends SuiteTypes> {
  contract: Contract;
  prismUrl: string;
  /** The exchanges of this test; the runner asserts after it that Prism flagged none. */
  log: Exchange[];
  /** A client on Prism's root with {@link ContractSuite.devKey}, recording into {@link log}. */
  client(request?: { prefer?: string; retry?: boolean }): T['client'];
}

export interface NamedTest<Context> {
  name: string;
  run(context: Context): Promise<void>;
}

/** A request Prism itself refuses (`proxy --errors` never forwards a request violation). */
export interface Refusal<T extends SuiteTypes> {
  name: string;
  /** `null`: no credentials. Default: {@link ContractSuite.devKey}. */
  key?: string | null;
  send(client: T['client']): Promise<unknown>;
  status: number;
  /** The problem type after Prism's `…/errors#`, e.g. `UNPROCESSABLE_ENTITY`. */
  problem: string;
  /** Expected entries of the problem's `validation` list. Default: not checked. */
  validation?: Array<Partial<PrismViolation>>;
}

export interface ContractSuite<T extends SuiteTypes> {
  slug: T['slug'];
  /** Reads the vendor's error code a documented response pins, e.g. `lumixAIErrorTypeOf` from the mock server. */
  errorCodeOf: ErrorCodeReader;
  /** Whether an error status may document no code (useapi.net's `{error}` bodies). Default: false, every error status pins one. */
  errorsWithoutCode?: boolean;
  /** The client's error class: every failure must be an instance, with `status` and `code`. */
  ErrorClass: abstract new (...args: never[]) => ApiError<ErrorCode>;
  /** A key the mock accepts for every operation (Prism mock only checks one is there). */
  devKey: string;
  /** The mock clock moves this far (plus a second) before each test, so each starts in a fresh rate-limit window. */
  rateLimitWindowMs: number;
  /** This API's mock settings (extra keys, accounts ...). Default: its dev keys and defaults. */
  mockConfig?: ApiConfigs[T['slug']];
  client(options: ClientOptions): T['client'];
  /** An input every call accepts, for servers that answer from the spec alone (Prism mock, the control stub). */
  sampleInput: T['input'];
  /** Keyed by pair name (`generateImage 503`) or, for every operation at once, by status (`503`). */
  scenarios: Record<string, Scenario<T>>;
  /** Further cases for documented pairs. Default: none. */
  extraCases?: Array<ExtraCase<T>>;
  /** Builds a call's input from its plan: setup requests (a finished job, a first request under the same key ...) go through `context`. */
  prepare(plan: Plan<T>, pair: DocumentedResponse, context: PrepareContext<T>): Promise<T['input']>;
  calls: Record<T['operation'], Call<T>>;
  /** What a successful answer must look like beyond Prism's schema check. */
  successChecks: Record<T['operation'], (value: unknown, input: T['input']) => void>;
  /** Whole flows through Prism proxy in front of the mock. */
  flows: Array<NamedTest<ProxyContext<T>>>;
  /** Requests Prism proxy refuses itself, beyond the missing credentials every suite gets. */
  refusals: Array<Refusal<T>>;
  /** Flows against `prism mock`. */
  mockFlows: Array<NamedTest<PrismMockContext<T>>>;
}

/** A suite with its types hidden, so suites of different APIs fit in one list. */
export interface RegisteredSuite {
  slug: ApiSlug;
  use<R>(visit: <T extends SuiteTypes>(suite: ContractSuite<T>) => R): R;
}

export function defineSuite<T extends SuiteTypes>(suite: ContractSuite<T>): RegisteredSuite {
  return { slug: suite.slug, use: (visit) => visit(suite) };
}

/** The scenario for a pair: its own row first, else its status's row. */
export function scenarioFor<T extends SuiteTypes>(suite: ContractSuite<T>, pair: DocumentedResponse): Scenario<T> | undefined {
  return suite.scenarios[`${pair.operationId} ${pair.status}`] ?? suite.scenarios[pair.status];
}

/** The call's outcome must be the vendor's error with this status and code. */
export function expectVendorError<T extends SuiteTypes>(
  suite: ContractSuite<T>,
  failure: unknown,
  status: number,
  code: ErrorCode | undefined,
): asserts failure is ApiError {
  expect(failure, `the call must throw ${suite.ErrorClass.name}`).toBeInstanceOf(suite.ErrorClass);
  expect(failure).toMatchObject({ status, code });
}
