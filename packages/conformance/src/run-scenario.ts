import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FaultPlanError, createHttpServer, createMockServer, imageSize } from '@imagegen/mock-server';
import type { FaultPlan, FaultPlanInput, MockServer } from '@imagegen/mock-server';

import type { ResolvedScenario } from './scenario.js';
import { inRange } from './scenario.js';
import type { ClientEnv, Subject, SubjectOutcome } from './subject.js';
import { jobsPerSubmission, onlyApi, operationOf } from './vendors.js';

/** One request the client made, as the mock saw it. */
export interface RecordedRequest {
  /** Arrival, on the mock clock (epoch ms). */
  at: number;
  method: string;
  path: string;
  /** The spec's operationId, `output` for an output URL, `other` for anything else. */
  operation: string;
  /** The status answered; 0 when the connection was closed without an answer. */
  status: number;
  /** SHA-256 and size of an image the mock answered with. */
  image?: { sha256: string; width: number; height: number };
}

export type Verdict = 'pass' | 'fail' | 'skip' | 'error';

/** The verdict of one scenario for one vendor and one client. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  vendor: string;
  subject: string;
  verdict: Verdict;
  /** For `fail`: each broken expectation, named (`jobs: ...`); for `error`: what stopped the run; for `skip`: why. */
  reasons: string[];
  durationMs: number;
  exitCode?: number;
  /** The client's output (stdout and stderr, or the error it threw), cut to 2000 characters. */
  message?: string;
  requests?: RecordedRequest[];
  jobs?: number;
  file: string;
}

/** Runs one scenario for one vendor against one client: a fresh mock, the faults armed, the verdict. */
export async function runScenario(scenario: ResolvedScenario, subject: Subject): Promise<ScenarioResult> {
  const started = Date.now();
  const base = { scenario: scenario.id, title: scenario.title, vendor: scenario.vendor, subject: subject.name, file: scenario.file };
  const mock = createMockServer({ apis: onlyApi(scenario.vendor), timing: scenario.given.timing });
  const requests: RecordedRequest[] = [];
  const server = createHttpServer(mock.app);
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => record(mock, scenario.vendor, req, res, requests));
  const workDir = await mkdtemp(join(tmpdir(), 'imagegen-conformance-'));
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const api = mock.apis[0]!;
    const plans: FaultPlan[] = [];
    try {
      for (const response of scenario.responses) {
        plans.push(mock.faults.arm({ ...response, api: scenario.vendor, operation: operationOf(scenario.vendor, response.operation) } as FaultPlanInput));
      }
    } catch (error) {
      if (!(error instanceof FaultPlanError)) throw error;
      return { ...base, verdict: 'error', reasons: [`${scenario.file}: responses: ${error.message}`], durationMs: Date.now() - started };
    }
    const env: ClientEnv = {
      vendor: scenario.vendor,
      baseUrl: `http://127.0.0.1:${port}${api.basePath}`,
      apiKey: api.devKeys[0]!.key,
      prompt: scenario.given.prompt,
      output: join(workDir, 'result.img'),
      timeoutMs: scenario.given.timeoutMs,
    };
    const outcome = await subject.run(env);
    // Requests still in flight when the client stopped are recorded when they close.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const reasons = await check(scenario, mock, env, outcome, requests, plans);
    return {
      ...base,
      verdict: reasons.length === 0 ? 'pass' : 'fail',
      reasons,
      durationMs: Date.now() - started,
      exitCode: outcome.exitCode,
      message: outcome.message.slice(0, 2000),
      requests,
      jobs: Math.ceil(mock.state(scenario.vendor).jobs.length / jobsPerSubmission(scenario.vendor)),
    };
  } catch (error) {
    return { ...base, verdict: 'error', reasons: [(error as Error).message], durationMs: Date.now() - started };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await mock.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Records what the mock saw of one request: arrival on its clock, operation, status, served image. */
function record(mock: MockServer, vendor: string, req: IncomingMessage, res: ServerResponse, into: RecordedRequest[]): void {
  const path = req.url ?? '';
  if (!path.startsWith(`/${vendor}`)) return;
  const entry: RecordedRequest = { at: mock.clock.now(), method: req.method ?? 'GET', path: path.split('?')[0]!, operation: 'other', status: 0 };
  const chunks: Buffer[] = [];
  const isImage = () => String(res.getHeader('content-type') ?? '').startsWith('image/');
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (isImage() && chunk) chunks.push(Buffer.from(chunk as Uint8Array));
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk: unknown, ...rest: unknown[]) => {
    if (isImage() && chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Uint8Array));
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
  res.once('close', () => {
    const context = (req as IncomingMessage & { mock?: { operation?: { operationId: string } } }).mock;
    entry.operation = context?.operation?.operationId ?? (context ? 'output' : 'other');
    entry.status = res.writableFinished ? res.statusCode : 0;
    if (chunks.length > 0 && entry.status === 200) {
      const bytes = Buffer.concat(chunks);
      try {
        const size = imageSize(bytes);
        entry.image = { sha256: createHash('sha256').update(bytes).digest('hex'), width: size.width, height: size.height };
      } catch {
        // Not an image after all: nothing the client could have written.
      }
    }
    into.push(entry);
  });
}

async function check(
  scenario: ResolvedScenario,
  mock: MockServer,
  env: ClientEnv,
  outcome: SubjectOutcome,
  requests: RecordedRequest[],
  plans: FaultPlan[],
): Promise<string[]> {
  const expected = scenario.expected;
  const reasons: string[] = [];
  const firstLine = outcome.message.trim().split('\n').find((line) => line.trim() !== '') ?? '(no output)';
  const succeeded = outcome.exitCode === 0;
  if (outcome.timedOut) reasons.push(`exit: the client was still running ${outcome.hardLimitMs} ms after it started (IMAGEGEN_TIMEOUT_MS was ${env.timeoutMs}) and was stopped`);
  else if (expected.exit === 'success' && !succeeded) reasons.push(`exit: the client reported failure (exit ${outcome.exitCode}: ${firstLine.slice(0, 300)}), expected success`);
  else if (expected.exit === 'failure' && succeeded) reasons.push('exit: the client claimed success (exit 0), expected it to report failure');

  const jobs = mock.state(scenario.vendor).jobs;
  if (expected.jobs !== undefined) {
    const perSubmission = jobsPerSubmission(scenario.vendor);
    const created = Math.ceil(jobs.length / perSubmission);
    const range = inRange(created, expected.jobs);
    const unit = perSubmission === 1 ? 'job' : `batch${created === 1 ? '' : 'es'} of ${perSubmission} jobs`;
    if (!range.ok) reasons.push(`jobs: ${created} ${perSubmission === 1 && created !== 1 ? 'jobs' : unit} ${created === 1 ? 'was' : 'were'} created (and billed) for one logical request, expected ${range.words}`);
  }
  for (const [operation, wanted] of Object.entries(expected.requests ?? {})) {
    const operationId = operationOf(scenario.vendor, operation);
    const made = requests.filter((request) => request.operation === operationId).length;
    const range = inRange(made, wanted);
    if (!range.ok) reasons.push(`requests.${operation}: ${made} ${operationId} request${made === 1 ? '' : 's'} made, expected ${range.words}`);
  }
  if (expected.honoursWaits) {
    const byId = new Map(plans.map((plan) => [plan.id, plan]));
    for (const fired of mock.faults.fired()) {
      const wait = byId.get(fired.planId)?.retryAfterSeconds;
      if (wait === undefined) continue;
      const next = requests.find((request) => request.operation === fired.operation && request.at > fired.at);
      if (next && next.at - fired.at < wait * 1000) {
        reasons.push(`honoursWaits: ${fired.operation} was sent again ${next.at - fired.at} ms after an answer asking to wait ${wait} s`);
      }
    }
  }
  if (expected.faultsFired !== false) {
    const firedPlans = new Set(mock.faults.fired().map((fired) => fired.planId));
    for (const plan of plans) {
      if (!firedPlans.has(plan.id)) reasons.push(`faultsFired: the client never met ${plan.fault} on ${plan.operation} (no matching request${plan.nth > 1 ? ` number ${plan.nth}` : ''})`);
    }
  }
  const output = expected.output ?? 'image-if-success';
  if (output === 'image' || (output === 'image-if-success' && succeeded)) reasons.push(...(await checkImage(env.output, requests)));
  // A client that claimed success already broke `exit`; `none` is about what a failing one leaves behind.
  if (output === 'none' && !succeeded && (await exists(env.output))) reasons.push('output: a file was written although the client reported failure');
  if (!succeeded && expected.message !== undefined && !new RegExp(expected.message, 'i').test(outcome.message)) {
    reasons.push(`message: the client's message does not match /${expected.message}/i: ${firstLine.slice(0, 300)}`);
  }
  const named = withHandlesDecoded(outcome.message);
  if (!succeeded && expected.messageNamesJob && jobs.length > 0 && !jobs.some((job) => named.includes(job.id))) {
    reasons.push(`messageNamesJob: the client's message names no job it created (${jobs.map((job) => job.id).join(', ')}): ${firstLine.slice(0, 300)}`);
  }
  if (mock.violations.length > 0) reasons.push(`mock: answers broke the spec (a mock bug): ${mock.violations.map((v) => v.message).join('; ')}`);
  return reasons;
}

/**
 * The message with every job handle in the project's format (`imagegen-job:<vendor>:<base64url of
 * [baseUrl, id, parts?]>`) decoded beside it, so a client that reports a resumable handle instead
 * of a bare id names the job too.
 */
function withHandlesDecoded(message: string): string {
  const decoded = [...message.matchAll(/imagegen-job:[a-z-]+:([A-Za-z0-9_-]+)/g)].map((match) => Buffer.from(match[1]!, 'base64url').toString('utf8'));
  return [message, ...decoded].join('\n');
}

async function checkImage(file: string, requests: RecordedRequest[]): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return [`output: no file was written at IMAGEGEN_OUTPUT`];
  }
  let size;
  try {
    size = imageSize(bytes);
  } catch (error) {
    return [`output: the file written (${bytes.length} bytes) is not a valid image: ${(error as Error).message}`];
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const served = requests.flatMap((request) => (request.image ? [request.image] : []));
  if (served.some((image) => image.sha256 === sha256)) return [];
  const sizes = served.map((image) => `${image.width}x${image.height}`).join(', ') || 'none';
  return [`output: the ${size.format} written (${size.width}x${size.height}, ${bytes.length} bytes) is not an image the mock served (served: ${sizes})`];
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
