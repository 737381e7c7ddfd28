import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createHttpServer, createMockServer } from '@imagegen/mock-server';
import type { MockServer } from '@imagegen/mock-server';

import { killGroup, trackGroup } from './process-groups.js';
import type { ScenarioResult } from './run-scenario.js';
import type { ResolvedScenario, WebhookDeliveryKind } from './scenario.js';
import type { components as LumenComponents } from '@imagegen/lumen';

import { callbackSignatureHeaders, onlyApi } from './vendors.js';
import type { VendorSlug } from './vendors.js';

/** How a vendor signs its webhooks, and how to start a job that sends one. */
interface WebhookSigning {
  /** Starts a job that calls `url` back when it settles; resolves with the job id. */
  submit(baseUrl: string, apiKey: string, url: string, secret: string): Promise<string>;
  /** The headers of a genuine delivery of `rawBody` sent at `seconds` (epoch). */
  headers(rawBody: Buffer, secret: string, seconds: number): Record<string, string>;
}

/**
 * How each vendor whose spec declares a signed callback (a `*Signature*` header on it, see
 * `callbackSignatureHeaders`) signs it: which vendors sign comes from the specs, the signing scheme
 * and the request that asks for a webhook are the vendor's. A test fails when a spec declares a
 * signed callback and its vendor has no entry here, or an entry's spec declares none.
 */
export const WEBHOOK_SIGNING: Partial<Record<VendorSlug, WebhookSigning>> = {
  lumen: {
    async submit(baseUrl, apiKey, url, secret) {
      const request: LumenComponents['schemas']['GenerationRequest'] = { model: 'gpt-image-2-low', prompt: 'a cute cat', webhook_url: url, webhook_secret: secret };
      const answer = await fetch(`${baseUrl}/v1/images/generations`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(request),
      });
      const body = (await answer.json()) as { id?: string };
      if (!answer.ok || typeof body.id !== 'string') throw new Error(`POST /v1/images/generations answered ${answer.status}: ${JSON.stringify(body)}`);
      return body.id;
    },
    headers: (rawBody, secret, seconds) => ({
      'Content-Type': 'application/json',
      'X-Lumen-Signature': `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`,
      'X-Lumen-Timestamp': String(seconds),
    }),
  },
};

/** A webhook receiver under test: a command that listens on 127.0.0.1 and prints its URL. */
export interface Receiver {
  name: string;
  command: string;
}

const STARTUP_MS = 10_000;
const SECRET = 'conformance-webhook-secret';

/**
 * Runs a webhook scenario: the mock sends a genuine signed delivery to the receiver, then the
 * runner replays it (`duplicate`), sends it with a changed body and the original signature
 * (`tampered`), and sends a correctly signed delivery of another job with a timestamp an hour old
 * (`stale`). The receiver must accept the genuine one and process it once, and refuse the others
 * (or, for the duplicate, accept it without processing it again).
 */
export async function runWebhookScenario(scenario: ResolvedScenario, receiver: Receiver): Promise<ScenarioResult> {
  const started = Date.now();
  const base = { scenario: scenario.id, title: scenario.title, vendor: scenario.vendor, subject: receiver.name, file: scenario.file };
  const signing = WEBHOOK_SIGNING[scenario.vendor];
  if (!signing) return { ...base, verdict: 'error', reasons: [`${scenario.vendor}'s spec declares a signed callback (${callbackSignatureHeaders(scenario.vendor).join(', ')}) but WEBHOOK_SIGNING has no entry for it`], durationMs: 0 };
  const mock = createMockServer({ apis: onlyApi(scenario.vendor), timing: scenario.given.timing });
  const server = createHttpServer(mock.app);
  const workDir = await mkdtemp(join(tmpdir(), 'imagegen-conformance-'));
  const output = join(workDir, 'processed.txt');
  let stop = () => {};
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${mock.apis[0]!.basePath}`;
    const started_ = await startReceiver(receiver.command, { IMAGEGEN_VENDOR: scenario.vendor, IMAGEGEN_WEBHOOK_SECRET: SECRET, IMAGEGEN_OUTPUT: output });
    stop = started_.stop;
    const reasons: string[] = [];
    const answers = new Map<WebhookDeliveryKind, number>();
    const jobId = await signing.submit(baseUrl, mock.apis[0]!.devKeys[0]!.key, started_.url, SECRET);
    const genuine = await waitForDelivery(mock, jobId, scenario.given.timeoutMs);
    answers.set('genuine', genuine.status);
    const now = Math.floor(Date.now() / 1000);
    for (const kind of scenario.deliveries ?? []) {
      if (kind === 'genuine') continue;
      let rawBody = genuine.rawBody;
      let headers = genuine.headers;
      if (kind === 'tampered') rawBody = Buffer.from(rawBody.toString('utf8').replace(/"status":"(\w+)"/, '"status":"failed"').replace(/}$/, ',"tampered":true}'));
      if (kind === 'stale') {
        rawBody = Buffer.from(rawBody.toString('utf8').replace(jobId, `${jobId.slice(0, -4)}0000`));
        headers = signing.headers(rawBody, SECRET, now - 3600);
      }
      answers.set(kind, await post(started_.url, rawBody, headers));
    }
    const processed = (await readFile(output, 'utf8').catch(() => '')).split('\n').filter((line) => line.trim() !== '');
    const expected = scenario.expected;
    for (const kind of expected.accepted ?? []) {
      const status = answers.get(kind);
      if (status === undefined || status < 200 || status > 299) reasons.push(`accepted.${kind}: the receiver answered the ${kind} delivery ${status ?? 'nothing'}, expected 2xx`);
    }
    for (const kind of expected.refused ?? []) {
      const status = answers.get(kind);
      if (status === undefined || status < 400 || status > 499) reasons.push(`refused.${kind}: the receiver answered the ${kind} delivery ${status ?? 'nothing'}, expected 4xx`);
    }
    if (expected.processedOnce) {
      const times = processed.filter((line) => line.includes(jobId)).length;
      if (times !== 1) reasons.push(`processedOnce: the receiver recorded job ${jobId} ${times} times in IMAGEGEN_OUTPUT, expected once`);
      const others = processed.filter((line) => !line.includes(jobId));
      if (others.length > 0) reasons.push(`processedOnce: the receiver also processed deliveries it should have refused: ${others.join(', ')}`);
    }
    return { ...base, verdict: reasons.length === 0 ? 'pass' : 'fail', reasons, durationMs: Date.now() - started, message: started_.output().slice(0, 2000) };
  } catch (error) {
    return { ...base, verdict: 'error', reasons: [(error as Error).message], durationMs: Date.now() - started };
  } finally {
    stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await mock.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The genuine delivery of `jobId`'s callback and the receiver's answer to it. */
async function waitForDelivery(mock: MockServer, jobId: string, timeoutMs: number): Promise<{ rawBody: Buffer; headers: Record<string, string>; status: number }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const delivery = await mock.webhooks.waitFor((candidate) => candidate.rawBody.toString('utf8').includes(jobId), { signal });
  const attempt = delivery.attempts[0];
  if (!attempt) throw new Error(`the mock made no attempt to deliver ${delivery.id}: ${delivery.reason ?? delivery.status}`);
  // Framing headers belong to the attempt that sent them; fetch sets its own for each replay.
  const headers = Object.fromEntries(Object.entries(attempt.requestHeaders).filter(([name]) => !['content-length', 'host', 'connection', 'transfer-encoding'].includes(name.toLowerCase())));
  return { rawBody: delivery.rawBody, headers, status: attempt.httpStatus ?? 0 };
}

async function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  try {
    const answer = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
    await answer.arrayBuffer();
    return answer.status;
  } catch {
    return 0;
  }
}

async function startReceiver(command: string, env: Record<string, string>): Promise<{ url: string; stop: () => void; output: () => string }> {
  const child = spawn('sh', ['-c', command], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  trackGroup(child);
  let output = '';
  const stop = () => killGroup(child);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the receiver printed no IMAGEGEN_WEBHOOK_URL=<url> line within ${STARTUP_MS} ms: ${output.slice(0, 300)}`));
    }, STARTUP_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const found = /IMAGEGEN_WEBHOOK_URL=(\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the receiver exited (${code}) before printing IMAGEGEN_WEBHOOK_URL=<url>: ${output.slice(0, 300)}`));
    });
  });
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(`${url}/`)) {
    stop();
    throw new Error(`the receiver's URL ${url} is not on 127.0.0.1`);
  }
  return { url, stop, output: () => output };
}
