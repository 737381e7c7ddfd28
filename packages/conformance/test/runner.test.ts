// The conformance runner end to end: the real bin, the real mock on 127.0.0.1:0, clients run as
// commands and as modules. What it must do: pass a client that behaves, fail one that resubmits and
// ignores waits (naming the broken expectation), and refuse a malformed scenario file by its path.
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APIS } from '@imagegen/mock-server';

import { ScenarioError, VENDOR_FILES, VENDOR_SLUGS, WEBHOOK_SIGNING, callbackSignatureHeaders, checkScenario, checkVendorFile, declaresHeader, functionSubject, loadScenarioDir, loadScenarioFile, resolveScenario, runScenario, runSuite, vendorOverrides } from '../src/index.js';
import type { ClientEnv, Scenario } from '../src/index.js';

const run = promisify(execFile);
/**
 * Scenarios at once in a whole-suite run: each waits on real time (a job's life cycle, a 2 s
 * Retry-After, a 3 s deadline) and costs little CPU, so the slowest few, not the sum, bound the
 * run. Not all 37 at once: their mocks start together, and on a loaded machine that burst of CPU
 * delayed a client past its hard limit.
 */
const SUITE_CONCURRENCY = '12';
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const NAIVE = fileURLToPath(new URL('./naive-client.mjs', import.meta.url));
const PROJECT_CLIENTS = fileURLToPath(new URL('../adapters/project-clients.mjs', import.meta.url));
const AI_SDK = fileURLToPath(new URL('../adapters/ai-sdk.mjs', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const NAIVE_RECEIVER = fileURLToPath(new URL('./naive-receiver.mjs', import.meta.url));
const PROJECT_RECEIVER = fileURLToPath(new URL('../adapters/lumen-receiver.mjs', import.meta.url));

let workDir: string;
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'conformance-test-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Runs the bin; resolves with its exit code and output whatever the code. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 230_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function scenario(id: string): Promise<Scenario> {
  return loadScenarioFile(join(SCENARIOS, `${id}.json`));
}

describe('a deliberately naive client (resubmits on any error, ignores waits), run as a command', () => {
  it('fails, each scenario naming the expectation it broke, and the bin exits 1 with a JUnit report', async () => {
    const junit = join(workDir, 'naive.xml');
    const { code, stdout } = await cli([
      '--vendor', 'lumixai',
      '--client', `"${process.execPath}" "${NAIVE}"`,
      '--scenario', 'happy-path',
      '--scenario', 'submit-429-wait',
      '--scenario', 'submit-drop-after-commit',
      '--scenario', 'job-moderated',
      '--junit', junit,
    ]);
    expect(code, stdout).toBe(1);
    const lines = stdout.trim().split('\n');
    expect(lines.find((line) => line.includes(' happy-path'))).toMatch(/^PASS {2}lumixai +happy-path/);
    expect(lines.find((line) => line.includes('submit-429-wait'))).toMatch(/^FAIL .*honoursWaits: createImageJob was sent again \d+ ms after an answer asking to wait 2 s/);
    expect(lines.find((line) => line.includes('submit-drop-after-commit'))).toMatch(/^FAIL .*jobs: 2 jobs were created \(and billed\) for one logical request, expected exactly 1/);
    expect(lines.find((line) => line.includes('job-moderated'))).toMatch(/^FAIL .*exit: the client claimed success.*jobs: [2-5] jobs were created/);
    expect(lines.at(-1)).toMatch(/^score 1\/4 for .*naive-client\.mjs.* \(3 failed, 0 not applicable\)$/);
    const report = await readFile(junit, 'utf8');
    expect(report).toMatch(/<testsuites name="imagegen-conformance" tests="4" failures="3" errors="0" skipped="0"/);
    expect(report).toMatch(/<failure message="honoursWaits: createImageJob was sent again/);
  });
});

describe('the project clients, as a module', () => {
  it('all five, through the common job interface (client.jobs), pass every scenario that applies', async () => {
    const { code, stdout } = await cli(['--module', PROJECT_CLIENTS, '--concurrency', SUITE_CONCURRENCY, '--json']);
    const report = JSON.parse(stdout) as { score: { passed: number; applicable: number }; results: Array<{ verdict: string; scenario: string; reasons: string[] }> };
    const failed = report.results.filter((result) => result.verdict === 'fail' || result.verdict === 'error');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(code).toBe(0);
    expect(report.score.passed).toBe(report.score.applicable);
    expect(report.score.applicable).toBeGreaterThanOrEqual(37);
  }, 240_000);
});

describe('the AI SDK providers through generateImage (its default retries included), as a module', () => {
  it('all five pass every scenario that applies: no retry resubmits a job a vendor may have billed', async () => {
    const { code, stdout } = await cli(['--module', AI_SDK, '--concurrency', SUITE_CONCURRENCY, '--json']);
    const report = JSON.parse(stdout) as { score: { passed: number; applicable: number }; results: Array<{ verdict: string; vendor: string; scenario: string; reasons: string[] }> };
    const failed = report.results.filter((result) => result.verdict === 'fail' || result.verdict === 'error');
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(code).toBe(0);
    expect(report.score.applicable).toBeGreaterThanOrEqual(37);
  }, 240_000);
});

describe('webhook receivers (Lumen signs its webhooks)', () => {
  it("the project's receiver (verifyLumenWebhook, duplicates remembered) passes; a naive one fails by name", async () => {
    const good = await cli(['--vendor', 'lumen', '--receiver', `"${process.execPath}" "${PROJECT_RECEIVER}"`, '--scenario', 'webhook-deliveries']);
    expect(good.stdout).toMatch(/^PASS {2}lumen +webhook-deliveries/m);
    expect(good.code).toBe(0);
    const naive = await cli(['--vendor', 'lumen', '--receiver', `"${process.execPath}" "${NAIVE_RECEIVER}"`, '--scenario', 'webhook-deliveries']);
    expect(naive.code).toBe(1);
    expect(naive.stdout).toMatch(/^FAIL {2}lumen +webhook-deliveries: refused\.stale: the receiver answered the stale delivery 204, expected 4xx; processedOnce: the receiver recorded job \w+ 2 times in IMAGEGEN_OUTPUT, expected once; processedOnce: the receiver also processed deliveries it should have refused: \w+ succeeded$/m);
  });

  it('a receiver scenario is skipped for a client and for vendors that do not sign', async () => {
    const { stdout } = await cli(['--vendor', 'lumixai', '--vendor', 'lumen', '--receiver', `"${process.execPath}" "${NAIVE_RECEIVER}"`, '--client', 'false', '--scenario', 'webhook-deliveries', '--scenario', 'happy-path']);
    expect(stdout).toMatch(/^SKIP {2}lumixai +webhook-deliveries: lumixai's spec declares no signed callback$/m);
    expect(stdout).toMatch(/^FAIL {2}lumen +happy-path: exit: the client reported failure/m);
  });
});

describe('expectations are read from the mock, not from the client', () => {
  const env = (overrides: Partial<ClientEnv> = {}) => overrides;
  it('a client that claims success without writing the image fails on output', async () => {
    const resolved = resolveScenario(await scenario('happy-path'), 'lumixai');
    if ('skip' in resolved) throw new Error('happy-path applies to lumixai');
    const result = await runScenario(resolved, functionSubject(async () => env(), 'liar'));
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual(['jobs: 0 jobs were created (and billed) for one logical request, expected exactly 1', 'requests.submit: 0 createImageJob requests made, expected exactly 1', 'output: no file was written at IMAGEGEN_OUTPUT']);
  });

  it('a client that writes an image the mock never served fails on output', async () => {
    const resolved = resolveScenario(await scenario('happy-path'), 'lumixai');
    if ('skip' in resolved) throw new Error('happy-path applies to lumixai');
    const forged = async (given: ClientEnv) => {
      const project = (await import(PROJECT_CLIENTS)) as { default: (env: ClientEnv) => Promise<void> };
      await project.default(given);
      const bytes = await readFile(given.output);
      bytes[bytes.length - 5] = (bytes[bytes.length - 5]! + 1) % 256; // one byte of the image data
      await writeFile(given.output, bytes);
    };
    const result = await runScenario(resolved, functionSubject(forged, 'forger'));
    expect(result.verdict).toBe('fail');
    expect(result.reasons).toEqual([expect.stringMatching(/^output: the png written \(\d+x\d+, \d+ bytes\) is not an image the mock served \(served: \d+x\d+\)$/)]);
  });

  it('a failing client names its job by id or by a resumable handle (imagegen-job:...)', async () => {
    const resolved = resolveScenario(await scenario('job-slower-than-deadline'), 'lumixai');
    if ('skip' in resolved) throw new Error('applies to lumixai');
    const reporter = (report: (id: string, env: ClientEnv) => string) => async (given: ClientEnv) => {
      const answer = await fetch(`${given.baseUrl}/v1/images/jobs`, { method: 'POST', headers: { 'X-API-Key': given.apiKey, 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt: 'x' }) });
      const { id } = (await answer.json()) as { id: string };
      throw new Error(report(id, given));
    };
    const handle = (id: string, given: ClientEnv) => `gave up; resume with imagegen-job:lumixai:${Buffer.from(JSON.stringify([given.baseUrl, id])).toString('base64url')}`;
    expect((await runScenario(resolved, functionSubject(reporter(handle), 'handle'))).verdict).toBe('pass');
    expect((await runScenario(resolved, functionSubject(reporter((id) => `gave up on job ${id}`), 'id'))).verdict).toBe('pass');
    const silent = await runScenario(resolved, functionSubject(reporter(() => 'gave up'), 'silent'));
    expect(silent.reasons).toEqual([expect.stringMatching(/^messageNamesJob: the client's message names no job it created \([0-9a-f-]{36}\): Error: gave up/)]);
  });

  it('a fault the client never meets is a failure, not a pass', async () => {
    const resolved = resolveScenario(await scenario('poll-5xx'), 'lumixai');
    if ('skip' in resolved) throw new Error('poll-5xx applies to lumixai');
    // Submits and downloads through the sync endpoint: never polls, so never meets the 503.
    const noPoll = async ({ baseUrl, apiKey, output }: ClientEnv) => {
      const headers = { 'X-API-Key': apiKey, 'Content-Type': 'application/json' };
      const done = (await (await fetch(`${baseUrl}/v1/images/generations`, { method: 'POST', headers, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt: 'x' }) })).json()) as { data: Array<{ download_url: string }> };
      await writeFile(output, Buffer.from(await (await fetch(`${baseUrl}${done.data[0]!.download_url}`, { headers })).arrayBuffer()));
    };
    const result = await runScenario(resolved, functionSubject(noPoll, 'no-poll'));
    expect(result.reasons).toContain('faultsFired: the client never met status on getImageJob (no matching request)');
  });
});

describe('vendor data comes from the vendor, not from the scenario file', () => {
  it("poll-5xx answers with the 5xx each vendor's spec documents for its poll, and skips a vendor whose poll documents none", async () => {
    const poll5xx = await scenario('poll-5xx');
    const statuses = Object.fromEntries(VENDOR_SLUGS.map((vendor) => {
      const resolved = resolveScenario(poll5xx, vendor);
      return [vendor, 'skip' in resolved ? resolved.skip : resolved.responses.map((response) => response.status)];
    }));
    expect(statuses).toEqual({
      lumixai: [503],
      lumen: "lumen's getTask documents no 5xx status",
      'luma-agents': "luma-agents's getGeneration documents no 5xx status",
      'useapi-luma': "useapi-luma's getJob documents no 5xx status",
      lumozai: [500],
    });
  });

  it("a poll fault makes the job outlast a submission that waits for it (LumozAI's run, its descriptor's submitWaitMs), and leaves the others' timing alone", async () => {
    const lumozai = APIS.find((api) => api.slug === 'lumozai')!;
    expect(lumozai.submitWaitMs).toBe(5_000);
    for (const id of ['poll-reset', 'poll-5xx']) {
      const resolved = resolveScenario(await scenario(id), 'lumozai');
      if ('skip' in resolved) throw new Error(`${id} applies to lumozai`);
      expect(resolved.given.timing, id).toEqual({ queuedMs: 200, runningMs: 6_300 });
      const lumixai = resolveScenario(await scenario(id), 'lumixai');
      if ('skip' in lumixai) throw new Error(`${id} applies to lumixai`);
      expect(lumixai.given.timing, id).toEqual({ queuedMs: 200, runningMs: 800 });
    }
    // A fault that is not on the poll does not need one: the run may answer with the output.
    const happy = resolveScenario(await scenario('happy-path'), 'lumozai');
    if ('skip' in happy) throw new Error('happy-path applies to lumozai');
    expect(happy.given.timing).toEqual({ queuedMs: 200, runningMs: 800 });
  });
});

describe('vendor knowledge: derived from the spec, or kept in the vendor\'s own file', () => {
  const perVendor = async (id: string, pick: (resolved: Exclude<ReturnType<typeof resolveScenario>, { skip: string }>) => unknown) => {
    const found = await scenario(id);
    return Object.fromEntries(VENDOR_SLUGS.map((vendor) => {
      const resolved = resolveScenario(found, vendor);
      return [vendor, 'skip' in resolved ? resolved.skip : pick(resolved)];
    }));
  };

  it('submit-drop-after-commit expects a retry and success exactly where the spec declares an Idempotency-Key header on the submission', async () => {
    expect(Object.fromEntries(VENDOR_SLUGS.map((vendor) => [vendor, declaresHeader(vendor, 'submit', 'idempotency-key')]))).toEqual({
      lumixai: true, lumen: false, 'luma-agents': false, 'useapi-luma': false, lumozai: false,
    });
    const failure = { exit: 'failure', jobs: 1, requests: { submit: 1 }, output: 'none' };
    const expected = await perVendor('submit-drop-after-commit', ({ expected: { exit, jobs, requests, output } }) => ({ exit, jobs, requests, output }));
    expect(expected).toEqual({
      lumixai: { exit: 'success', jobs: 1, requests: { submit: 2 }, output: 'image' },
      lumen: failure, 'luma-agents': failure, 'useapi-luma': failure, lumozai: failure,
    });
  });

  it("job-moderated takes each vendor's moderation failure from vendors/<slug>.json", async () => {
    const moderated = await perVendor('job-moderated', ({ responses, expected }) => ({ responses: responses.map(({ fault, status, code }) => ({ fault, status, code })), jobs: expected.jobs }));
    const outcome = { fault: 'job-outcome', status: undefined, code: undefined };
    expect(moderated).toEqual({
      lumixai: { responses: [outcome], jobs: { max: 1 } },
      lumen: expect.stringMatching(/^Lumen documents no moderation failure/),
      'luma-agents': { responses: [{ ...outcome, code: 'content_moderated' }], jobs: { max: 1 } },
      'useapi-luma': { responses: [{ fault: 'status', status: 422, code: undefined }], jobs: 0 },
      lumozai: { responses: [outcome], jobs: { max: 1 } },
    });
  });

  it('every served vendor has its vendors/<slug>.json (so a new one states what the scenarios need), each valid and naming built-in scenarios only', async () => {
    const files = readdirSync(VENDOR_FILES).filter((name) => name.endsWith('.json')).map((name) => name.replace(/\.json$/, ''));
    expect(files.filter((slug) => !(VENDOR_SLUGS as readonly string[]).includes(slug)), 'vendor files of no served vendor').toEqual([]);
    expect(VENDOR_SLUGS.filter((slug) => !files.includes(slug)).map((slug) => `packages/conformance/vendors/${slug}.json`), 'add { "overrides": {} } at least').toEqual([]);
    const ids = (await loadScenarioDir(SCENARIOS)).map((found) => found.id);
    for (const vendor of VENDOR_SLUGS) expect(Object.keys(vendorOverrides(vendor)).filter((id) => !ids.includes(id)), vendor).toEqual([]);
    expect(() => checkVendorFile({ overrides: { 'job-moderated': { skp: 'x' } } }, (problem) => new Error(problem))).toThrow(/overrides\.job-moderated: unknown field "skp"/);
  });

  it('webhook scenarios apply where the spec declares a signed callback, and WEBHOOK_SIGNING covers exactly those vendors', async () => {
    const signed = VENDOR_SLUGS.filter((vendor) => callbackSignatureHeaders(vendor).length > 0);
    expect(Object.fromEntries(signed.map((vendor) => [vendor, callbackSignatureHeaders(vendor)]))).toEqual({ lumen: ['X-Lumen-Signature'] });
    expect(Object.keys(WEBHOOK_SIGNING).sort()).toEqual([...signed].sort());
    expect(await perVendor('webhook-deliveries', () => 'applies')).toEqual({
      lumixai: "lumixai's spec declares no signed callback",
      lumen: 'applies',
      'luma-agents': "luma-agents's spec declares no signed callback",
      'useapi-luma': "useapi-luma's spec declares no signed callback",
      lumozai: "lumozai's spec declares no signed callback",
    });
  });
});

describe('scenario files', () => {
  it('the shipped scenarios load, with unique ids, and each applies to at least one vendor', async () => {
    const scenarios = await loadScenarioDir(SCENARIOS);
    expect(scenarios.map((s) => s.id)).toEqual(expect.arrayContaining(['happy-path', 'submit-429-wait', 'poll-5xx', 'submit-drop-after-commit', 'submit-reset', 'output-expired', 'job-moderated', 'job-slower-than-deadline']));
    const results = await runSuite({ scenarios, vendors: [], subject: functionSubject(async () => undefined, 'none') });
    expect(results).toEqual([]);
    // Without onResult too (it once spun forever when nobody listened), every result comes back.
    const skipped = await runSuite({ scenarios, vendors: ['lumixai', 'lumen'] });
    expect(skipped).toHaveLength(scenarios.length * 2);
    expect(skipped.every((result) => result.verdict === 'skip')).toBe(true);
  });

  it.each([
    { text: '{ "id": "x", "title": "t" ', problem: /is not valid JSON/ },
    { text: '{ "title": "t", "expected": { "exit": "success" } }', problem: /id: must be a non-empty string/ },
    { text: '{ "id": "Bad Id", "title": "t", "expected": { "exit": "success" } }', problem: /id: "Bad Id" must be lowercase words joined by dashes/ },
    { text: '{ "id": "x", "title": "t" }', problem: /expected: is required/ },
    { text: '{ "id": "x", "title": "t", "expected": { "exit": "maybe" } }', problem: /expected\.exit: must be one of success, failure, any/ },
    { text: '{ "id": "x", "title": "t", "vendors": ["openai"], "expected": { "exit": "success" } }', problem: /vendors\[0\]: "openai" is not a vendor; use one of lumixai, lumen/ },
    { text: '{ "id": "x", "title": "t", "expected": { "exit": "success", "jobs": { "mn": 1 } } }', problem: /expected\.jobs: unknown field "mn"; allowed: min, max/ },
    { text: '{ "id": "x", "title": "t", "responses": [{ "fault": "reset" }], "expected": { "exit": "success" } }', problem: /responses\[0\]\.operation: must be a non-empty string/ },
    { text: '{ "id": "x", "title": "t", "expected": { "exit": "success", "message": "(" } }', problem: /expected\.message: is not a valid regular expression/ },
    { text: '{ "id": "x", "title": "t", "responses": [{ "operation": "poll", "fault": "status", "status": "5x" }], "expected": { "exit": "success" } }', problem: /responses\[0\]\.status: "5x" must be a status code or a class \(5xx\)/ },
    { text: '{ "id": "x", "title": "t", "given": { "timeoutMs": 5 }, "expected": { "exit": "success" } }', problem: /given\.timeoutMs: must be a whole number from 100 to 600000/ },
  ])('refuses $problem, naming the file', async ({ text, problem }) => {
    // Its own file: the tests of this file run at once.
    const file = join(workDir, `broken-${randomUUID()}.json`);
    await writeFile(file, text);
    const error = await loadScenarioFile(file).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as ScenarioError).file).toBe(file);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
  });

  it('a user adds a YAML scenario without touching code; a malformed one stops the bin (exit 2) with its path', async () => {
    const dir = join(workDir, 'mine');
    await run('mkdir', ['-p', dir]);
    await writeFile(
      join(dir, 'slow-submit.yaml'),
      ['id: slow-submit', 'title: The submission answers after 1.5 s', 'vendors: [lumixai]', 'responses:', '  - { operation: submit, fault: latency, latencyMs: 1500 }', 'expected:', '  exit: success', '  jobs: 1', '  output: image', ''].join('\n'),
    );
    const passed = await cli(['--vendor', 'lumixai', '--module', PROJECT_CLIENTS, '--scenarios', dir, '--only-scenarios']);
    expect(passed.stdout).toMatch(/^PASS {2}lumixai +slow-submit/m);
    expect(passed.code).toBe(0);

    await writeFile(join(dir, 'zz-broken.yaml'), 'id: zz\ntitle: t\nexpected: { exit: success, jobs: -1 }\n');
    const refused = await cli(['--vendor', 'lumixai', '--module', PROJECT_CLIENTS, '--scenarios', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`scenario refused: ${join(dir, 'zz-broken.yaml')}: expected.jobs: must be an object`);
  });

  it('a fault the vendor does not document is an error naming the scenario file and the field', async () => {
    const parsed = checkScenario({ id: 'x', title: 't', responses: [{ operation: 'poll', fault: 'status', status: 503 }], expected: { exit: 'success' } }, (problem) => new Error(problem));
    const resolved = resolveScenario({ ...parsed, file: 'mine/x.json' }, 'lumen');
    if ('skip' in resolved) throw new Error('applies to every vendor');
    const result = await runScenario(resolved, functionSubject(async () => undefined, 'none'));
    expect(result.verdict).toBe('error');
    expect(result.reasons).toEqual([expect.stringMatching(/^mine\/x\.json: responses: status: 503 is not a documented error of lumen getTask; documented: 401, 404$/)]);
  });

  it('an unknown flag, vendor or scenario id is a usage error (exit 2)', async () => {
    expect((await cli(['--vendor', 'openai', '--client', 'true'])).stderr).toMatch(/--vendor openai: not a vendor/);
    const unknown = await cli(['--scenario', 'nope', '--client', 'true']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--scenario nope: no such scenario; known: happy-path/);
    expect((await cli(['--vendor', 'lumixai'])).stderr).toMatch(/give the client under test/);
  });
});

describe('a runner stopped by a signal', () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('on %s stops the clients it started (their own process groups) and exits %i', async (signal, exitCode) => {
    const pidFile = join(workDir, `client-${signal}.pid`);
    // The client's grandchild: a process the runner never spawned itself, only its group.
    const client = `sleep 60 & echo $! > "${pidFile}"; wait`;
    const runner = spawn(process.execPath, [CLI, '--vendor', 'lumixai', '--client', client, '--scenario', 'happy-path'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolveExit) => runner.once('exit', (code) => resolveExit(code)));
    let clientPid = 0;
    for (const deadline = Date.now() + 30_000; clientPid === 0 && Date.now() < deadline; ) {
      clientPid = Number(await readFile(pidFile, 'utf8').catch(() => '0')) || 0;
      if (clientPid === 0) await new Promise((wait) => setTimeout(wait, 50));
    }
    expect(clientPid, 'the client started').toBeGreaterThan(0);
    expect(alive(clientPid)).toBe(true);
    runner.kill(signal);
    expect(await exited).toBe(exitCode);
    for (const deadline = Date.now() + 5_000; alive(clientPid) && Date.now() < deadline; ) await new Promise((wait) => setTimeout(wait, 20));
    const left = alive(clientPid);
    if (left) process.kill(clientPid, 'SIGKILL');
    expect(left, `client process ${clientPid} outlived the runner`).toBe(false);
  });
});
