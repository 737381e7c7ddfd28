// The lean request validation (src/core/openapi-validator/lean-requests.ts) and the lean response
// check (lean-responses.ts) must answer exactly as express-openapi-validator's own request stage and
// response hook: every GET (and HEAD) operation of every spec, read from the specs, sent valid and
// invalid (a real id, unknown and malformed ids, an unknown query, no key, a wrong key, HEAD, odd
// headers, other Accept headers, a status fault armed), and the bench's requests with bodies, sent
// to a server with the lean path and to one without it, must get the same status, headers and body.
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { leanRequestCounts, setLeanRequestValidation } from '../src/core/openapi-validator/lean-requests.js';
import { leanResponseCounts, setLeanResponseCheck } from '../src/core/openapi-validator/lean-responses.js';
import { listOperations } from '../src/core/operations.js';
import { loadSpec } from '../src/core/spec-document.js';
import type { Operation } from '../src/core/operations.js';
import { API_SLUGS, ManualClock, createMockServer, serve } from '../src/index.js';
import type { MockServer } from '../src/index.js';
import { onlyApi } from './harness.js';

interface BenchRoute {
  name: string;
  method?: string;
  path?: (ctx: Record<string, unknown>) => string;
  headers: Record<string, string>;
  body?: string | ((ctx: Record<string, unknown>) => string);
}
interface BenchApi {
  /** The settings the bench gives the API (its keys), where it needs any. */
  mockConfig?: object;
  prepare(baseUrl: string, serverName: string): Promise<Record<string, unknown>>;
  routes: BenchRoute[];
}

/** The credential header a key goes in for an operation, read from its security schemes. */
function credential(operation: Operation, key: string): Record<string, string> {
  const scheme = operation.security[0]?.[0];
  if (!scheme) return {};
  if (scheme.type === 'apiKey') return { [scheme.paramName]: key };
  return { authorization: `${scheme.scheme === 'bearer' ? 'Bearer' : scheme.scheme} ${key}` };
}

interface Exchange {
  request: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends every request of the table to a fresh server (the same clock time, the same state), the lean path `toggle` sets on or off, and records the answers. */
async function exchanges(slug: string, lean: boolean, toggle: (on: boolean) => void): Promise<Exchange[]> {
  toggle(lean);
  const bench = (await import(pathToFileURL(new URL(`../bench/apis/${slug}.mjs`, import.meta.url).pathname).href)) as { default: BenchApi };
  const config = bench.default.mockConfig ? { apis: { [slug]: bench.default.mockConfig } } : {};
  const mock: MockServer = createMockServer(onlyApi(slug as (typeof API_SLUGS)[number], { ...config, clock: new ManualClock(Date.UTC(2026, 4, 16, 12, 0, 0)) }));
  const running = await serve(mock, { port: 0 });
  try {
    const base = running.baseUrl(slug);
    // Ids of real jobs (batches, generations) on this server, as the bench makes them.
    const made = Object.values(await bench.default.prepare(base, 'ours')).flatMap((value) => (typeof value === 'string' || typeof value === 'number' ? [String(value)] : []));
    const key = mock.apis[0]!.devKeys[0]!.key;
    const gets = listOperations(loadSpec(slug)).filter((operation) => operation.method === 'GET');
    const seen: Exchange[] = [];
    const record = async (request: string, response: Response) => {
      const type = response.headers.get('content-type') ?? '';
      // Images are labelled with their job's id, which each server made differently.
      const image = type.startsWith('image/');
      const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date' && !(image && name === 'content-length')));
      const body = image ? `(${type})` : unmade(await response.text(), made, base);
      seen.push({ request, status: response.status, headers: normalized(headers, made, base), body });
    };
    // The bench's requests with bodies (creates, LumozAI's form posts), as sent and with an empty body.
    const ctx = Object.fromEntries(made.map((id, index) => [index, id]));
    for (const route of bench.default.routes.filter((candidate) => candidate.method === 'POST' && candidate.path)) {
      const sent = typeof route.body === 'function' ? route.body(await bench.default.prepare(base, 'ours')) : route.body;
      for (const body of [sent, '']) {
        await record(`${route.name} ${body ? 'as the bench sends it' : 'empty body'}`, await fetch(`${base}${route.path!(ctx)}`, { method: 'POST', headers: route.headers, body }));
      }
    }
    for (const operation of gets) {
      const values = operation.paramNames.length === 0 ? [''] : [...made, 'not-a-valid-id', '00000000-0000-4000-8000-000000000000', '%ZZ', 'a%2Fb', 'x'.repeat(300)];
      for (const value of values) {
        const path = operation.path.replace(/\{[^}]+\}/g, value);
        const variants: Array<{ name: string; suffix?: string; method?: string; headers: Record<string, string>; arm?: boolean }> = [
          { name: 'valid', headers: credential(operation, key) },
          { name: 'unknown query', suffix: '?unknown=1', headers: credential(operation, key) },
          { name: 'empty query', suffix: '?', headers: credential(operation, key) },
          { name: 'no key', headers: {} },
          { name: 'wrong key', headers: credential(operation, 'wrong-key-0000') },
          { name: 'HEAD', method: 'HEAD', headers: credential(operation, key) },
          { name: 'odd headers', headers: { ...credential(operation, key), accept: 'text/plain', 'content-type': 'application/xml', 'x-request-id': 'abc', prefer: 'wait=1' } },
          { name: 'Accept: application/*', headers: { ...credential(operation, key), accept: 'application/*' } },
          { name: 'Accept: a list', headers: { ...credential(operation, key), accept: 'application/problem+json, application/json;q=0.9, */*;q=0.1' } },
          { name: 'status fault armed', headers: credential(operation, key), arm: true },
        ];
        for (const variant of variants) {
          if (variant.arm) {
            const status = ['500', '503', '429', '404'].find((candidate) => operation.statuses.includes(candidate));
            if (status === undefined) continue;
            mock.faults.arm({ api: slug, operation: operation.operationId, fault: 'status', status: Number(status) });
          }
          const response = await fetch(`${base}${path}${variant.suffix ?? ''}`, { method: variant.method ?? 'GET', headers: variant.headers });
          await record(`${variant.method ?? 'GET'} ${operation.path} [${value === '' ? '-' : made.includes(value) ? 'made' : value}] ${variant.name}`, response);
        }
      }
    }
    expect(mock.violations, 'answers that broke the spec').toEqual([]);
    return seen;
  } finally {
    toggle(true);
    await running.close({ idleGraceMs: 0 });
    await mock.close();
  }
}

/** Ids the servers made differently, and presigned signatures (each server has its own secret), as placeholders. */
function normalized(headers: Record<string, string>, made: string[], base: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, unmade(value, made, base)]));
}

/** The text with the server's own address, the ids it made and its presigned signatures as placeholders. */
function unmade(text: string, made: string[], base: string): string {
  let out = text.replaceAll(new URL(base).host, '{host}');
  for (const [index, id] of made.entries()) out = out.replaceAll(id, `{made ${index}}`);
  // Ids the servers made while the table ran (a create sent as the bench sends it).
  out = out.replace(/[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/gi, '{uuid}').replace(/\bj\d{19}i-/g, 'j{time and sequence}i-').replace(/\d{13,}/g, '{number}');
  return out.replace(/signature=[0-9a-z_-]+/gi, 'signature=…');
}

describe.each([
  { stage: 'request validation', counts: leanRequestCounts, toggle: setLeanRequestValidation },
  { stage: 'response check', counts: leanResponseCounts, toggle: setLeanResponseCheck },
])('lean $stage answers as the validator does', ({ counts, toggle }) => {
  it.each(API_SLUGS)('%s: every GET operation (valid and invalid) and the bench\'s requests with bodies, with and without the lean path', async (slug) => {
    const before = counts();
    const withLean = await exchanges(slug, true, toggle);
    const leanRuns = counts().lean - before.lean;
    const without = await exchanges(slug, false, toggle);
    expect(counts().lean - before.lean, 'nothing took the lean path while it was off').toBe(leanRuns);
    expect(leanRuns, 'valid requests took the lean path').toBeGreaterThan(0);
    expect(withLean.length, 'requests in the table').toBeGreaterThan(3);
    for (let i = 0; i < without.length; i++) expect(withLean[i], without[i]!.request).toEqual(without[i]);
    expect(withLean.length).toBe(without.length);
  });
});
