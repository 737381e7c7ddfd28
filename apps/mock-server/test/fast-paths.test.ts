// The fast paths (src/core/direct-dispatch.ts: an API's layer reached without Express's router; and
// what later commits add behind the same switch) must answer exactly as the original paths: every
// GET operation of every spec, read from the specs, sent valid and invalid (real, unknown,
// malformed, undecodable and overlong ids; queries; no key, a wrong key, a revoked one; HEAD; odd
// headers; Prefer controls, faults and typos; armed fault plans, matching and not; a rate limit
// reached), and the GET routes outside the spec the bench reads (presigned outputs), sent to a
// server built with the fast paths (listening through createHttpServer, and through a plain
// node:http server as users who listen themselves do) and to one built without them: the same
// status, headers (but Date) and body, the same log lines, request events and inspector records.
import { request as httpRequest, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { directDispatchCount, setFastPaths } from '../src/core/direct-dispatch.js';
import { listOperations } from '../src/core/operations.js';
import type { Operation } from '../src/core/operations.js';
import { loadSpec } from '../src/core/spec-document.js';
import { API_SLUGS, APIS, ManualClock, createMockServer, serve } from '../src/index.js';
import type { ApiKeyConfig, MockEvent, MockServer } from '../src/index.js';
import { onlyApi } from './harness.js';

interface BenchApi {
  mockConfig?: { keys?: ApiKeyConfig[] };
  prepare(baseUrl: string, serverName: string): Promise<Record<string, unknown>>;
}

type Listening = 'createHttpServer' | 'own node:http server';

interface Answer {
  request: string;
  status: number | string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Run {
  answers: Answer[];
  log: string[];
  events: unknown[];
  records: unknown[];
}

/** One request on a fresh connection, so a reset or a dropped answer touches that request alone. */
function send(url: string, method: string, headers: Record<string, string>): Promise<{ status: number | string; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve) => {
    const request = httpRequest(url, { method, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', () => resolve({ status: 'connection closed mid-answer', headers: {}, body: Buffer.alloc(0) }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: `no answer (${error.code ?? error.message})`, headers: {}, body: Buffer.alloc(0) }));
    request.end();
  });
}

/** The credential header a key goes in for an operation, read from its security schemes. */
function credential(operation: Operation, key: string): Record<string, string> {
  const scheme = operation.security[0]?.[0];
  if (!scheme) return {};
  if (scheme.type === 'apiKey') return { [scheme.paramName]: key };
  return { authorization: `${scheme.scheme === 'bearer' ? 'Bearer' : scheme.scheme} ${key}` };
}

/** The key setting of an API's config schema that limits requests (its description names the 429), if it has one. */
function rateLimitField(slug: string): string | undefined {
  const descriptor = APIS.find((candidate) => candidate.slug === slug)!;
  const keySchema = (descriptor.configSchema as { properties?: { keys?: { items?: { properties?: Record<string, { description?: string; type?: string }> } } } }).properties?.keys?.items?.properties ?? {};
  return Object.entries(keySchema).find(([, schema]) => schema.type === 'integer' && /\b429\b/.test(schema.description ?? ''))?.[0];
}

/** Every string below `value` that is an absolute URL (the bench's presigned outputs). */
function urlsIn(value: unknown): string[] {
  if (typeof value === 'string') return /^https?:\/\//.test(value) ? [value] : [];
  if (value && typeof value === 'object') return Object.values(value).flatMap(urlsIn);
  return [];
}

/** Sends the table to a fresh server (the same clock time, the same state) and records what it answered, logged and kept. */
async function run(slug: string, fast: boolean, listening: Listening): Promise<Run> {
  const bench = (await import(pathToFileURL(new URL(`../bench/apis/${slug}.mjs`, import.meta.url).pathname).href)) as { default: BenchApi };
  const descriptor = APIS.find((candidate) => candidate.slug === slug)!;
  const devKeys = (bench.default.mockConfig?.keys ?? descriptor.devKeys) as ApiKeyConfig[];
  const field = rateLimitField(slug);
  const limitedKey = `${devKeys[0]!.key}-limited`;
  const revokedKey = `${devKeys[0]!.key}-revoked`;
  const keys = [...devKeys, { ...devKeys[0]!, key: limitedKey, ...(field === undefined ? {} : { [field]: 2 }) }, { ...devKeys[0]!, key: revokedKey, revoked: true }];
  const log: string[] = [];
  const events: MockEvent[] = [];
  setFastPaths(fast);
  let mock: MockServer;
  try {
    mock = createMockServer(
      onlyApi(slug as (typeof API_SLUGS)[number], {
        apis: { [slug]: { ...bench.default.mockConfig, keys } } as never,
        clock: new ManualClock(Date.UTC(2026, 4, 16, 12, 0, 0)),
        log: (line) => log.push(line),
        onEvent: (event) => events.push(event),
      }),
    );
  } finally {
    setFastPaths(true);
  }
  const running = listening === 'createHttpServer' ? await serve(mock, { port: 0 }) : undefined;
  const own = listening === 'own node:http server' ? createServer(mock.app) : undefined;
  if (own) await new Promise<void>((resolve) => own.listen(0, '127.0.0.1', resolve));
  const origin = running?.url ?? `http://127.0.0.1:${(own!.address() as AddressInfo).port}`;
  const base = `${origin}${mock.apis[0]!.basePath}`;
  try {
    const ctx = await bench.default.prepare(base, 'ours');
    const made = Object.values(ctx).flatMap((value) => (typeof value === 'string' || typeof value === 'number' ? [String(value)] : []));
    const answers: Answer[] = [];
    const record = async (name: string, url: string, method: string, headers: Record<string, string>) => {
      const answer = await send(url, method, headers);
      const type = String(answer.headers['content-type'] ?? '');
      // Images are labelled with their job's id, which each server made differently.
      const image = type.startsWith('image/');
      const { date: _date, ...kept } = answer.headers;
      if (image) delete kept['content-length'];
      answers.push({ request: name, status: answer.status, headers: JSON.parse(unmade(JSON.stringify(kept), made, origin)), body: image ? `(${type})` : unmade(answer.body.toString('utf8'), made, origin) });
    };
    const key = devKeys[0]!.key;
    for (const operation of listOperations(loadSpec(slug)).filter((candidate) => candidate.method === 'GET')) {
      const values = operation.paramNames.length === 0 ? [''] : [...made, 'not-a-valid-id', '00000000-0000-4000-8000-000000000000', '%ZZ', 'a%2Fb', '%E2%82%AC', 'x'.repeat(300)];
      const errorStatus = operation.statuses.find((status) => Number(status) >= 400);
      for (const value of values) {
        const path = operation.path.replace(/\{[^}]+\}/g, value);
        const authorized = credential(operation, key);
        const variants: Array<{ name: string; suffix?: string; method?: string; headers: Record<string, string>; arm?: Parameters<MockServer['faults']['arm']>[0] }> = [
          { name: 'valid', headers: authorized },
          { name: 'unknown query', suffix: '?unknown=1', headers: authorized },
          { name: 'empty query', suffix: '?', headers: authorized },
          { name: 'trailing slash', suffix: '/', headers: authorized },
          { name: 'no key', headers: {} },
          { name: 'wrong key', headers: credential(operation, 'wrong-key-0000') },
          { name: 'revoked key', headers: credential(operation, revokedKey) },
          { name: 'HEAD', method: 'HEAD', headers: authorized },
          { name: 'POST on a GET path', method: 'POST', headers: authorized },
          { name: 'odd headers', headers: { ...authorized, accept: 'text/plain', 'content-type': 'application/xml', 'x-request-id': 'abc', 'x-forwarded-for': '10.0.0.1' } },
          { name: 'accept anything', headers: { ...authorized, accept: '*/*', 'accept-encoding': 'gzip, br' } },
          { name: 'Prefer typo', headers: { ...authorized, prefer: 'jobstatus=failed, wait=1' } },
          { name: 'Prefer code', headers: { ...authorized, prefer: `code=${errorStatus ?? '500'}` } },
          { name: 'Prefer undocumented code', headers: { ...authorized, prefer: 'code=418' } },
          { name: 'Prefer job-status', headers: { ...authorized, prefer: 'job-status=failed' } },
          { name: 'Prefer bad latency', headers: { ...authorized, prefer: 'latency=soon' } },
          { name: 'Prefer fault=reset', headers: { ...authorized, prefer: 'fault=reset' } },
          { name: 'Prefer fault=drop-after-commit', headers: { ...authorized, prefer: 'fault=drop-after-commit' } },
          { name: 'plan armed for another key', headers: authorized, arm: { api: slug, operation: operation.operationId, key: 'someone-else', fault: 'status', status: Number(errorStatus ?? 500) } },
          ...(errorStatus === undefined ? [] : [{ name: 'status plan armed', headers: authorized, arm: { api: slug, operation: operation.operationId, fault: 'status' as const, status: Number(errorStatus) } }]),
          { name: 'reset plan armed', headers: authorized, arm: { api: slug, operation: operation.operationId, fault: 'reset' } },
          { name: 'job-outcome plan armed', headers: authorized, arm: { api: slug, operation: operation.operationId, fault: 'job-outcome', outcome: 'failed' } },
          // Past a key's limit, where the API has one (three requests against a limit of two).
          ...[1, 2, 3].map((n) => ({ name: `rate-limited key, request ${n}`, headers: credential(operation, limitedKey) })),
        ];
        // Every variant for the first value (a real id where there is one), the common ones for the rest.
        const common = ['valid', 'unknown query', 'no key', 'wrong key', 'HEAD', 'odd headers', 'Prefer typo', 'status plan armed'];
        for (const variant of value === values[0] ? variants : variants.filter((candidate) => common.includes(candidate.name))) {
          if (variant.arm) {
            try {
              mock.faults.arm(variant.arm);
            } catch {
              continue; // a plan this operation cannot take (a job outcome on a read)
            }
          }
          const method = variant.method ?? 'GET';
          await record(`${method} ${operation.path} [${value === '' ? '-' : made.includes(value) ? 'made' : value}] ${variant.name}`, `${base}${path}${variant.suffix ?? ''}`, method, variant.headers);
          mock.faults.clear();
        }
      }
    }
    // Below the slug but outside the spec, and the mock's own routes beside the API.
    const slugRoot = `${origin}/${slug}`;
    for (const [name, url] of [
      ['the slug alone', slugRoot],
      ['the slug with a slash', `${slugRoot}/`],
      ['an unknown path', `${slugRoot}/no/such/path`],
      ['a double slash', `${slugRoot}//x`],
      ['the slug in capitals', `${origin}/${slug.toUpperCase()}/x`],
      ['a longer slug', `${slugRoot}x/y`],
      ['the root', `${origin}/`],
      ['an unmounted path', `${origin}/nothing-here`],
      ...urlsIn(ctx).map((url, i) => [`output ${i}`, url] as const),
      ...urlsIn(ctx).map((url, i) => [`output ${i} unsigned`, url.split('?')[0]!] as const),
    ] as const) {
      await record(`GET ${name}`, url, 'GET', {});
      await record(`HEAD ${name}`, url, 'HEAD', {});
    }
    expect(mock.violations, 'answers that broke the spec').toEqual([]);
    // What the inspector kept of each request, as its JSON shows it (durations differ run to run).
    const records: unknown[] = [];
    for (const event of events) {
      if (event.type !== 'request' || event.api === null) continue;
      const shown = await send(`${origin}/_mock/requests/rq_${event.id}`, 'GET', { accept: 'application/json' });
      if (shown.status !== 200) {
        records.push(shown.status);
        continue;
      }
      const kept = withoutTimes(JSON.parse(unmade(shown.body.toString('utf8'), made, origin))) as { answer?: { headers: Record<string, string>; body?: string } };
      // An image's size depends on the job id in its label, which each server made differently.
      if (kept.answer && String(kept.answer.headers['content-type']).startsWith('image/')) {
        delete kept.answer.headers['content-length'];
        delete kept.answer.body;
      }
      records.push(kept);
    }
    return {
      answers,
      log: log.map((line) => unmade(line, made, origin).replace(/\b\d+(?:\.\d+)?ms\b/g, '{ms}')),
      // `at` of a request event is the wall clock's.
      events: events.map((event) => withoutTimes(JSON.parse(unmade(JSON.stringify(event), made, origin)), event.type === 'request' ? ['at'] : [])),
      records,
    };
  } finally {
    await running?.close({ idleGraceMs: 0 });
    if (own) {
      own.closeAllConnections();
      await new Promise((resolve) => own.close(resolve));
    }
    await mock.close();
  }
}

/** An event or record without what the wall clock decides: how long it took, and `also`. */
function withoutTimes(value: Record<string, unknown>, also: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== 'durationMs' && !also.includes(name)));
}

/** The text with the server's own address, the ids it made and its presigned signatures as placeholders. */
function unmade(text: string, made: string[], origin: string): string {
  let out = text.replaceAll(new URL(origin).host, '{host}');
  for (const [index, id] of made.entries()) out = out.replaceAll(id, `{made ${index}}`);
  out = out.replace(/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi, '{uuid}').replace(/\bj\d{19}i-/g, 'j{time and sequence}i-');
  return out.replace(/signature=[^&"\\\s]+/gi, 'signature=…');
}

describe('the fast paths answer as the original paths do', () => {
  // Three servers' worth of requests, each on its own connection: minutes on a loaded machine.
  it.each(API_SLUGS)('%s: every GET operation, valid and invalid, and the GET routes beside them', { timeout: 180_000 }, async (slug) => {
    const before = directDispatchCount();
    const original = await run(slug, false, 'createHttpServer');
    expect(directDispatchCount(), 'nothing took a fast path while they were off').toBe(before);
    expect(original.answers.length, 'requests in the table').toBeGreaterThan(10);
    for (const listening of ['createHttpServer', 'own node:http server'] as const) {
      const start = directDispatchCount();
      const fast = await run(slug, true, listening);
      expect(directDispatchCount() - start, `requests dispatched directly (${listening})`).toBeGreaterThan(original.answers.length / 2);
      for (let i = 0; i < original.answers.length; i++) expect(fast.answers[i], `${listening}: ${original.answers[i]!.request}`).toEqual(original.answers[i]);
      expect(fast.answers.length).toBe(original.answers.length);
      expect(fast.log, `${listening}: log lines`).toEqual(original.log);
      expect(fast.events, `${listening}: request and job events`).toEqual(original.events);
      expect(fast.records, `${listening}: inspector records`).toEqual(original.records);
    }
  });
});
