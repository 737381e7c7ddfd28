#!/usr/bin/env node
// Issue 15 rows 3 and 13, the figures its closing note asks for: the live heap of one mock after
// N creates spread over every API it mounts, then once they have all expired with no traffic at all
// (the sweep runs on the clock, not on the next write), then with maximum-size prompts live (each
// API's prompt maxLength, documented or inferred): a job keeps only what its views and images show
// of a prompt. In-process over real HTTP on 127.0.0.1, the built package (dist/), a manual clock.
// Each API's create request is its POST route in bench/apis/<slug>.mjs, the prompt swapped in.
//
//   pnpm --filter @imagegen/mock-server soak        (node --expose-gc bench/soak-all-apis.mjs)
//
// Settings (environment): SOAK_CREATES creates in all (default 100000), SOAK_SECONDS time budget for
// them (default 600), SOAK_LONG_PROMPTS maximum-size prompts per API (default 200). test/soak.test.ts
// runs the same with fewer creates.

import { dirname, join } from 'node:path';
import process from 'node:process';
import { Agent, request } from 'node:http';
import { URLSearchParams, fileURLToPath, pathToFileURL } from 'node:url';
import { setImmediate } from 'node:timers';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { intFromEnv } from './bench-settings.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const { ManualClock, createMockServer, deref, listOperations, loadSpec, serve } = await import(pathToFileURL(join(PKG_DIR, 'dist', 'index.js')).href);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

/** The live heap after two full collections, in bytes. */
export function liveHeap() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/**
 * How `slug` creates a job: the first POST route of its bench entry whose body is text (JSON or a
 * URL-encoded form), a function putting a prompt into that body, and the spec's maxLength of it.
 */
async function createRouteOf(slug) {
  const entry = (await import(pathToFileURL(join(PKG_DIR, 'bench', 'apis', `${slug}.mjs`)).href)).default;
  const doc = loadSpec(slug);
  const route = entry.routes.find((candidate) => candidate.method === 'POST' && !candidate.oursOnly && typeof candidate.body === 'string');
  if (route === undefined) throw new Error(`bench/apis/${slug}.mjs has no POST route with a text body`);
  const contentType = route.headers['content-type'].split(';')[0].trim();
  const path = route.path({});
  const operation = listOperations(doc).find((candidate) => candidate.method === 'POST' && candidate.path === path);
  const schema = operation === undefined ? undefined : deref(doc, operation.requestSchemas[contentType]);
  const prompt = schema?.properties?.prompt === undefined ? undefined : deref(doc, schema.properties.prompt);
  if (prompt?.maxLength === undefined) throw new Error(`spec/${slug}: POST ${path} (${contentType}) has no prompt with a maxLength`);
  const body =
    contentType === 'application/json'
      ? (text) => JSON.stringify({ ...JSON.parse(route.body), prompt: text })
      : (text) => {
          const form = new URLSearchParams(route.body);
          form.set('prompt', text);
          return form.toString();
        };
  return { slug, path, headers: route.headers, status: route.status, body, maxLength: prompt.maxLength, mockConfig: entry.mockConfig };
}

/**
 * Runs the soak; resolves to its figures (bytes). `creates` (in all, round robin over the APIs) and
 * `seconds` bound the first phase, whichever comes first; `longPrompts` per API the last.
 */
export async function soakAllApis({ creates = 100_000, seconds = 600, longPrompts = 200, connections = 16 } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 4, 16));
  // An hour of mock time: every create stays live until the clock jumps past it.
  const retentionMs = 3600_000;
  const routes = await Promise.all(createMockServer().apis.map((api) => createRouteOf(api.slug)));
  const apis = Object.fromEntries(routes.flatMap((route) => (route.mockConfig ? [[route.slug, route.mockConfig]] : [])));
  const mock = createMockServer({ clock, timing: 'instant', apis, jobRetentionMs: retentionMs, resultRetentionMs: retentionMs, idempotencyRetentionMs: retentionMs });
  const running = await serve(mock, { port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const failures = [];
  const create = (route, prompt) =>
    new Promise((resolve, reject) => {
      const body = route.body(prompt);
      const headers = { ...route.headers, 'content-length': String(Buffer.byteLength(body)) };
      const req = request(new URL(`${running.baseUrl(route.slug)}${route.path}`), { method: 'POST', agent, headers }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== route.status) failures.push(`${route.slug} ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 200)}`);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    // Warm (validators compiled, JIT), then everything expired: the baseline holds what any run holds.
    for (let i = 0; i < 50; i++) for (const route of routes) await create(route, `warm-up ${i}`);
    clock.advance(2 * retentionMs);
    await new Promise((resolve) => setImmediate(resolve));
    const baseline = liveHeap();

    const deadline = Date.now() + seconds * 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (next < creates && Date.now() < deadline) {
          const i = next++;
          await create(routes[i % routes.length], `soak ${i}`);
        }
      }),
    );
    const afterCreates = liveHeap();

    // Everything expires; no request is sent from here on.
    clock.advance(2 * retentionMs);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    const afterExpiry = liveHeap();

    for (let i = 0; i < longPrompts; i++) for (const route of routes) await create(route, `${i} `.padEnd(route.maxLength, 'x'));
    const afterLongPrompts = liveHeap();
    return {
      apis: routes.map((route) => ({ slug: route.slug, maxLength: route.maxLength })),
      creates: next,
      longPrompts,
      failures,
      baseline,
      afterCreates,
      afterExpiry,
      afterLongPrompts,
    };
  } finally {
    agent.destroy();
    await running.close({ idleGraceMs: 0 });
  }
}

/** The figures as the issue's closing note gives them. */
export function describeSoak(result) {
  const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
  return [
    `soak: ${result.creates} creates across ${result.apis.length} APIs (${result.apis.map((api) => api.slug).join(', ')}), ${result.failures.length} not answered as documented`,
    `  live heap at the baseline (warm, nothing live):          ${mb(result.baseline)}`,
    `  after the creates (all live):                            ${mb(result.afterCreates)} (+${mb(result.afterCreates - result.baseline)})`,
    `  after expiry, no traffic since:                          ${mb(result.afterExpiry)} (+${mb(result.afterExpiry - result.baseline)})`,
    `  with ${result.longPrompts} maximum-size prompts per API live (${result.apis.map((api) => `${api.slug} ${api.maxLength}`).join(', ')} characters): ` +
      `${mb(result.afterLongPrompts)} (+${mb(result.afterLongPrompts - result.afterExpiry)} over expiry)`,
  ].join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await soakAllApis({
    creates: intFromEnv('SOAK_CREATES', 100_000, 1, 10_000_000),
    seconds: intFromEnv('SOAK_SECONDS', 600, 1, 3600),
    longPrompts: intFromEnv('SOAK_LONG_PROMPTS', 200, 1, 10_000),
  });
  console.log(describeSoak(result));
  for (const failure of result.failures.slice(0, 5)) console.log(`  e.g. ${failure}`);
  if (result.failures.length > 0) process.exitCode = 1;
}
