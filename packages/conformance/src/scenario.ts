import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { FaultPlanInput } from '@imagegen/mock-server';
import { parse as parseYaml } from 'yaml';

import { VENDOR_SLUGS, callbackSignatureHeaders, declaresHeader, documentedStatuses, isVendorSlug, operationOf, submitWaitMs } from './vendors.js';
import type { VendorSlug } from './vendors.js';

/** A range of counts: `2` means exactly 2. */
export type Count = number | { min?: number; max?: number };

/**
 * One fault the mock answers with: a fault plan without its `api` (the scenario's vendor) or key.
 * The operation is a role, `submit`, `poll` or `download`, resolved per vendor, or a spec `operationId`.
 * A `status` may be a class (`5xx`): the first status of that class the vendor's spec documents for
 * the operation; a vendor whose operation documents none skips the scenario.
 */
export type ScenarioResponse = Omit<FaultPlanInput, 'api' | 'key' | 'status'> & { status?: number | StatusClass };
export type StatusClass = `${1 | 2 | 3 | 4 | 5}xx`;

/** A fault as it is armed for one vendor: its status, if any, a number. */
export type ResolvedResponse = Omit<FaultPlanInput, 'api' | 'key'>;

/**
 * The deliveries a webhook scenario sends the receiver: the mock's own signed one, the same again,
 * its body changed under the original signature, and a correctly signed one an hour old.
 */
export const WEBHOOK_DELIVERIES = ['genuine', 'duplicate', 'tampered', 'stale'] as const;
export type WebhookDeliveryKind = (typeof WEBHOOK_DELIVERIES)[number];

/** What must hold after the client ran, read from the mock's ledger and request log. */
export interface Expectations {
  /** Webhook scenarios: deliveries the receiver answers 2xx. */
  accepted?: WebhookDeliveryKind[];
  /** Webhook scenarios: deliveries the receiver answers 4xx. */
  refused?: WebhookDeliveryKind[];
  /** Webhook scenarios: the receiver records the genuine job once in IMAGEGEN_OUTPUT, and nothing else. */
  processedOnce?: boolean;
  /** `success`: the client exits 0; `failure`: it reports failure (non-zero); `any`: either. */
  exit: 'success' | 'failure' | 'any';
  /** Jobs the mock holds for this one logical request (each is billed). Default: not checked. */
  jobs?: Count;
  /** Requests per operation (a role or an operationId). Default: not checked. */
  requests?: Record<string, Count>;
  /** Every request to an operation that was answered with a wait comes that long later or more, on the mock clock. Default: false. */
  honoursWaits?: boolean;
  /**
   * `image`: the output file holds exactly an image the mock served (so a valid image of the right
   * size); `image-if-success`: that, when the client claims success; `none`: no file is written.
   * Default: `image-if-success`.
   */
  output?: 'image' | 'image-if-success' | 'none';
  /** A failing client's message (stdout and stderr) matches this case-insensitive pattern. */
  message?: string;
  /** A failing client's message names the job id (or handle) of the job the mock created. Default: false. */
  messageNamesJob?: boolean;
  /** Every armed fault fired at least once (otherwise the client never met it). Default: true. */
  faultsFired?: boolean;
}

type ScenarioTiming = { queuedMs: number; runningMs: number };

export interface ScenarioGiven {
  /**
   * How long jobs take on the mock; a scenario that faults the poll makes a vendor's job outlast
   * its submission's wait (see `submitWaitMs`). Default: `{ queuedMs: 200, runningMs: 800 }`.
   */
  timing?: ScenarioTiming;
  /** IMAGEGEN_TIMEOUT_MS given to the client. Default: 30000. */
  timeoutMs?: number;
  /** IMAGEGEN_PROMPT. Default: a lighthouse at dusk. */
  prompt?: string;
}

/** What a scenario may change for one vendor: replaces the fields it names. */
export interface VendorOverride {
  /** Why the scenario does not apply to this vendor; the scenario is then skipped for it. */
  skip?: string;
  given?: ScenarioGiven;
  responses?: ScenarioResponse[];
  expected?: Partial<Expectations>;
}

/** A scenario file: given / responses / expected, as AWS's retry tests, extended to jobs. */
export interface Scenario {
  /** Unique, lowercase words and dashes (`submit-429-wait`). */
  id: string;
  title: string;
  description?: string;
  /** Vendors the scenario applies to. Default: all. */
  vendors?: VendorSlug[];
  given?: ScenarioGiven;
  responses?: ScenarioResponse[];
  /** A webhook scenario (run against a receiver, not a client): the deliveries it sends. */
  deliveries?: WebhookDeliveryKind[];
  expected: Expectations;
  /**
   * Changes for a vendor whose spec declares an `Idempotency-Key` header on its submission (a retry
   * returns the same job and bills once), applied before its own override.
   */
  withIdempotencyKey?: VendorOverride;
  /**
   * Per-vendor changes. The built-in scenarios keep theirs with the vendor, in
   * `vendors/<slug>.json` (by scenario id); a scenario's own override for a vendor wins over it.
   */
  overrides?: Partial<Record<VendorSlug, VendorOverride>>;
  /** The file it was read from. */
  file: string;
}

/** A scenario as it runs for one vendor, overrides applied. */
export interface ResolvedScenario {
  id: string;
  title: string;
  vendor: VendorSlug;
  given: Required<ScenarioGiven>;
  responses: ResolvedResponse[];
  deliveries?: WebhookDeliveryKind[];
  expected: Expectations;
  file: string;
}

/** A scenario file that cannot be used; the message starts with its path. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'ScenarioError';
  }
}

const DEFAULT_GIVEN: Required<ScenarioGiven> = {
  timing: { queuedMs: 200, runningMs: 800 },
  timeoutMs: 30_000,
  prompt: 'a lighthouse at dusk, oil painting',
};

/** Where the scenarios shipped with the package are. */
export const BUILT_IN_SCENARIOS = new URL('../scenarios/', import.meta.url);

/**
 * What the built-in scenarios need to know about a vendor that neither its spec nor its mock
 * descriptor says (how it reports a moderated job, a scenario that cannot apply to it): one file per
 * vendor, `vendors/<slug>.json`, `{ "overrides": { "<scenario id>": <override> } }`, found by slug.
 */
export const VENDOR_FILES = new URL('../vendors/', import.meta.url);

const vendorFiles = new Map<VendorSlug, Partial<Record<string, VendorOverride>>>();

/** The overrides `vendors/<slug>.json` keeps for `vendor` by scenario id ({} when it has no file). */
export function vendorOverrides(vendor: VendorSlug): Partial<Record<string, VendorOverride>> {
  let found = vendorFiles.get(vendor);
  if (found === undefined) {
    const file = new URL(`${vendor}.json`, VENDOR_FILES);
    found = existsSync(file) ? checkVendorFile(JSON.parse(readFileSync(file, 'utf8')) as unknown, (problem) => new ScenarioError(fileURLToPath(file), problem)) : {};
    vendorFiles.set(vendor, found);
  }
  return found;
}

/** Checks a parsed `vendors/<slug>.json`: its overrides by scenario id. */
export function checkVendorFile(data: unknown, fail: Fail): Partial<Record<string, VendorOverride>> {
  const root = object(data, 'the vendor file', fail);
  only(root, 'the vendor file', ['overrides'], fail);
  const overrides = object(root.overrides, 'overrides', fail);
  return Object.fromEntries(Object.entries(overrides).map(([id, value]) => [id, checkOverride(value, `overrides.${id}`, fail)]));
}

/** Reads every `.json`, `.yaml` and `.yml` file of `dir` (sorted by name) as scenarios; ids must be unique. */
export async function loadScenarioDir(dir: string): Promise<Scenario[]> {
  const names = (await readdir(dir)).filter((name) => ['.json', '.yaml', '.yml'].includes(extname(name))).sort();
  const scenarios = await Promise.all(names.map((name) => loadScenarioFile(join(dir, name))));
  const seen = new Map<string, string>();
  for (const scenario of scenarios) {
    const other = seen.get(scenario.id);
    if (other) throw new ScenarioError(scenario.file, `id "${scenario.id}" is already used by ${other}`);
    seen.set(scenario.id, scenario.file);
  }
  return scenarios;
}

/** Reads and checks one scenario file; a {@link ScenarioError} names the path and the problem. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ScenarioError(file, `cannot be read (${error.code ?? error.message})`);
  });
  let data: unknown;
  try {
    data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ScenarioError(file, `is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return { ...checkScenario(data, (problem) => new ScenarioError(file, problem)), file };
}

export type Fail = (problem: string) => Error;

/** Checks a parsed scenario; `fail` builds the error for the first problem found. */
export function checkScenario(data: unknown, fail: Fail): Omit<Scenario, 'file'> {
  const root = object(data, 'the scenario', fail);
  only(root, 'the scenario', ['id', 'title', 'description', 'vendors', 'given', 'responses', 'deliveries', 'expected', 'withIdempotencyKey', 'overrides'], fail);
  const id = string(root.id, 'id', fail);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw fail(`id: "${id}" must be lowercase words joined by dashes`);
  const title = string(root.title, 'title', fail);
  if (root.description !== undefined) string(root.description, 'description', fail);
  let vendors: VendorSlug[] | undefined;
  if (root.vendors !== undefined) {
    if (!Array.isArray(root.vendors) || root.vendors.length === 0) throw fail('vendors: must be a non-empty list of vendor slugs');
    vendors = root.vendors.map((vendor, i) => slug(vendor, `vendors[${i}]`, fail));
  }
  if (root.expected === undefined) throw fail('expected: is required (what must hold afterwards)');
  const scenario: Omit<Scenario, 'file'> = {
    id,
    title,
    ...(typeof root.description === 'string' ? { description: root.description } : {}),
    ...(vendors ? { vendors } : {}),
    ...(root.given === undefined ? {} : { given: checkGiven(root.given, 'given', fail) }),
    ...(root.responses === undefined ? {} : { responses: checkResponses(root.responses, 'responses', fail) }),
    ...(root.deliveries === undefined ? {} : { deliveries: deliveryList(root.deliveries, 'deliveries', fail) }),
    expected: checkExpected(root.expected, 'expected', fail, false) as Expectations,
  };
  if (root.withIdempotencyKey !== undefined) scenario.withIdempotencyKey = checkOverride(root.withIdempotencyKey, 'withIdempotencyKey', fail);
  if (root.overrides !== undefined) {
    const overrides = object(root.overrides, 'overrides', fail);
    scenario.overrides = {};
    for (const [vendor, value] of Object.entries(overrides)) {
      const at = `overrides.${vendor}`;
      slug(vendor, at, fail);
      scenario.overrides[vendor as VendorSlug] = checkOverride(value, at, fail);
    }
  }
  return scenario;
}

/** Checks one vendor override (`skip`, `given`, `responses`, `expected`) found at `at`. */
export function checkOverride(value: unknown, at: string, fail: Fail): VendorOverride {
  const override = object(value, at, fail);
  only(override, at, ['skip', 'given', 'responses', 'expected'], fail);
  return {
    ...(override.skip === undefined ? {} : { skip: string(override.skip, `${at}.skip`, fail) }),
    ...(override.given === undefined ? {} : { given: checkGiven(override.given, `${at}.given`, fail) }),
    ...(override.responses === undefined ? {} : { responses: checkResponses(override.responses, `${at}.responses`, fail) }),
    ...(override.expected === undefined ? {} : { expected: checkExpected(override.expected, `${at}.expected`, fail, true) }),
  };
}

/** The scenario for `vendor`, or the reason it does not apply. */
export function resolveScenario(scenario: Scenario, vendor: VendorSlug): ResolvedScenario | { skip: string } {
  if (scenario.vendors && !scenario.vendors.includes(vendor)) return { skip: `applies to ${scenario.vendors.join(', ')} only` };
  // A webhook scenario checks a receiver's signature checks: it needs a vendor that signs.
  if (scenario.deliveries && callbackSignatureHeaders(vendor).length === 0) return { skip: `${vendor}'s spec declares no signed callback` };
  const idempotent = scenario.withIdempotencyKey && declaresHeader(vendor, 'submit', 'Idempotency-Key') ? scenario.withIdempotencyKey : {};
  const own = scenario.overrides?.[vendor] ?? vendorOverrides(vendor)[scenario.id] ?? {};
  const override: VendorOverride = { ...idempotent, ...own, expected: { ...idempotent.expected, ...own.expected } };
  if (override.skip !== undefined) return { skip: override.skip };
  const responses: ResolvedResponse[] = [];
  for (const response of override.responses ?? scenario.responses ?? []) {
    if (typeof response.status !== 'string') {
      responses.push(response as ResolvedResponse);
      continue;
    }
    const [status] = documentedStatuses(vendor, response.operation, response.status);
    if (status === undefined) return { skip: `${vendor}'s ${operationOf(vendor, response.operation)} documents no ${response.status} status` };
    responses.push({ ...response, status });
  }
  const given = { ...DEFAULT_GIVEN, ...scenario.given, ...override.given };
  return {
    id: scenario.id,
    title: scenario.title,
    vendor,
    given: { ...given, timing: outlastSubmitWait(vendor, given.timing, responses) },
    responses,
    ...(scenario.deliveries ? { deliveries: scenario.deliveries } : {}),
    expected: { ...scenario.expected, ...override.expected },
    file: scenario.file,
  };
}

/**
 * A fault on the poll needs a poll: where the vendor's submission waits for the job and answers
 * with its output (its descriptor's `submitWaitMs`), the job is made to end 1.5 s after that wait.
 */
function outlastSubmitWait(vendor: VendorSlug, timing: ScenarioTiming, responses: readonly ResolvedResponse[]): ScenarioTiming {
  const waitMs = submitWaitMs(vendor);
  if (waitMs === 0) return timing;
  const faultsPoll = responses.some((response) => operationOf(vendor, response.operation) === operationOf(vendor, 'poll'));
  if (!faultsPoll || timing.queuedMs + timing.runningMs > waitMs) return timing;
  return { queuedMs: timing.queuedMs, runningMs: waitMs + 1_500 - timing.queuedMs };
}

function checkGiven(value: unknown, at: string, fail: Fail): ScenarioGiven {
  const given = object(value, at, fail);
  only(given, at, ['timing', 'timeoutMs', 'prompt'], fail);
  const result: ScenarioGiven = {};
  if (given.timing !== undefined) {
    const timing = object(given.timing, `${at}.timing`, fail);
    only(timing, `${at}.timing`, ['queuedMs', 'runningMs'], fail);
    result.timing = { queuedMs: whole(timing.queuedMs, `${at}.timing.queuedMs`, fail, 0, 3_600_000), runningMs: whole(timing.runningMs, `${at}.timing.runningMs`, fail, 0, 3_600_000) };
  }
  if (given.timeoutMs !== undefined) result.timeoutMs = whole(given.timeoutMs, `${at}.timeoutMs`, fail, 100, 600_000);
  if (given.prompt !== undefined) result.prompt = string(given.prompt, `${at}.prompt`, fail);
  return result;
}

const RESPONSE_FIELDS = ['operation', 'fault', 'status', 'retryAfterSeconds', 'latencyMs', 'outcome', 'code', 'message', 'nth', 'times'];

function checkResponses(value: unknown, at: string, fail: Fail): ScenarioResponse[] {
  if (!Array.isArray(value)) throw fail(`${at}: must be a list of faults`);
  return value.map((item, i) => {
    const response = object(item, `${at}[${i}]`, fail);
    only(response, `${at}[${i}]`, RESPONSE_FIELDS, fail);
    string(response.operation, `${at}[${i}].operation`, fail);
    string(response.fault, `${at}[${i}].fault`, fail);
    if (typeof response.status === 'string' && !/^[1-5]xx$/.test(response.status)) throw fail(`${at}[${i}].status: "${response.status}" must be a status code or a class (5xx)`);
    // The rest is checked by the mock when the plan is armed, against the vendor's spec.
    return response as unknown as ScenarioResponse;
  });
}

function checkExpected(value: unknown, at: string, fail: Fail, partial: boolean): Partial<Expectations> {
  const expected = object(value, at, fail);
  only(expected, at, ['exit', 'jobs', 'requests', 'honoursWaits', 'output', 'message', 'messageNamesJob', 'faultsFired', 'accepted', 'refused', 'processedOnce'], fail);
  for (const list of ['accepted', 'refused'] as const) if (expected[list] !== undefined) deliveryList(expected[list], `${at}.${list}`, fail);
  if (!partial || expected.exit !== undefined) oneOf(expected.exit, `${at}.exit`, ['success', 'failure', 'any'], fail);
  if (expected.jobs !== undefined) count(expected.jobs, `${at}.jobs`, fail);
  if (expected.requests !== undefined) {
    for (const [operation, range] of Object.entries(object(expected.requests, `${at}.requests`, fail))) count(range, `${at}.requests.${operation}`, fail);
  }
  for (const flag of ['honoursWaits', 'messageNamesJob', 'faultsFired', 'processedOnce'] as const) {
    if (expected[flag] !== undefined && typeof expected[flag] !== 'boolean') throw fail(`${at}.${flag}: must be true or false`);
  }
  if (expected.output !== undefined) oneOf(expected.output, `${at}.output`, ['image', 'image-if-success', 'none'], fail);
  if (expected.message !== undefined) {
    const pattern = string(expected.message, `${at}.message`, fail);
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      throw fail(`${at}.message: is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return expected as Partial<Expectations>;
}

function deliveryList(value: unknown, at: string, fail: Fail): WebhookDeliveryKind[] {
  if (!Array.isArray(value) || value.some((kind) => !(WEBHOOK_DELIVERIES as readonly unknown[]).includes(kind))) {
    throw fail(`${at}: must be a list of ${WEBHOOK_DELIVERIES.join(', ')}`);
  }
  return value as WebhookDeliveryKind[];
}

function object(value: unknown, at: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail(`${at}: must be an object`);
  return value as Record<string, unknown>;
}

function only(value: Record<string, unknown>, at: string, allowed: string[], fail: Fail): void {
  const unknown = Object.keys(value).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) throw fail(`${at}: unknown field ${unknown.map((name) => `"${name}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
}

function string(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string' || value === '') throw fail(`${at}: must be a non-empty string`);
  return value;
}

function whole(value: unknown, at: string, fail: Fail, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) throw fail(`${at}: must be a whole number from ${min} to ${max}`);
  return value as number;
}

function oneOf(value: unknown, at: string, allowed: string[], fail: Fail): void {
  if (typeof value !== 'string' || !allowed.includes(value)) throw fail(`${at}: must be one of ${allowed.join(', ')}`);
}

function slug(value: unknown, at: string, fail: Fail): VendorSlug {
  if (!isVendorSlug(value)) throw fail(`${at}: ${JSON.stringify(value)} is not a vendor; use one of ${VENDOR_SLUGS.join(', ')}`);
  return value;
}

function count(value: unknown, at: string, fail: Fail): void {
  if (Number.isInteger(value) && (value as number) >= 0) return;
  const range = object(value, at, fail);
  only(range, at, ['min', 'max'], fail);
  if (range.min === undefined && range.max === undefined) throw fail(`${at}: give min, max or both`);
  if (range.min !== undefined) whole(range.min, `${at}.min`, fail, 0, 1_000_000);
  if (range.max !== undefined) whole(range.max, `${at}.max`, fail, 0, 1_000_000);
}

/** Whether `n` is in `range`, and the range in words. */
export function inRange(n: number, range: Count): { ok: boolean; words: string } {
  if (typeof range === 'number') return { ok: n === range, words: `exactly ${range}` };
  const ok = (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max);
  const words =
    range.min !== undefined && range.max !== undefined ? `${range.min} to ${range.max}` : range.min !== undefined ? `at least ${range.min}` : `at most ${range.max}`;
  return { ok, words };
}
