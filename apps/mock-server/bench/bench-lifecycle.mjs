#!/usr/bin/env node
// What a test suite pays per generation: one whole life cycle (submit, poll until done, download the
// images) through the project's own client's common `client.jobs`, in-process against the mock with the instant clock, per
// API at 1k, 2k and 4k. Beside each, the same client's bare round trips: create + one poll + a
// download of a file the mock already has (same size), so the ratio says what rendering the job's
// own image adds. Run by bench-vs-prism.mjs in a fresh process (so "first" is a real first life
// cycle: validator set-up, JIT, the first render); prints one JSON line. Standalone:
//
//   node bench/bench-lifecycle.mjs [--table]
//
// Settings (environment): BENCH_LIFECYCLE_RUNS measured life cycles per API and size (default 30, 3-500);
// BENCH_APIS as for bench-vs-prism.mjs.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { intFromEnv } from './bench-settings.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = intFromEnv('BENCH_LIFECYCLE_RUNS', 30, 3, 500);
/** 4k life cycles cost most and say least (the goal is set at 2k): fewer of them. */
const RUNS_AT = { '1k': RUNS, '2k': RUNS, '4k': Math.max(3, Math.ceil(RUNS / 3)) };
const TIERS = ['1k', '2k', '4k'];

/**
 * Each mounted API's `lifecycle` from `bench/apis/<slug>.mjs` (found by slug: no list here): its
 * client, request, the size tiers it can make (Luma Agents makes 2048 px outputs only;
 * useapi.net's largest is 1080p) and the mock settings the tiers need.
 */
async function lifecycleOf(slug) {
  const { lifecycle } = await import(pathToFileURL(join(PKG_DIR, 'bench', 'apis', `${slug}.mjs`)).href);
  if (!lifecycle) throw new Error(`bench/apis/${slug}.mjs exports no lifecycle`);
  return lifecycle;
}

/**
 * The three steps of a life cycle through the client's common `client.jobs`, the same for every
 * API: `start` submits, `poll` polls once, `finish` waits until the job is done (one more poll on
 * the instant clock), `download` fetches a finished job's images.
 */
async function stepsOf(lifecycle, baseUrl) {
  const jobs = lifecycle.create(await import(lifecycle.client), baseUrl).jobs;
  // Headers (a Prefer, say) go with the submission only, as a user's test would send them.
  const options = { headers: lifecycle.headers };
  return {
    requestAt: (tier) => {
      const own = lifecycle.tiers[tier] ?? {};
      return { ...lifecycle.request, ...own, extra: { ...lifecycle.request.extra, ...own.extra } };
    },
    start: async (request) => (await jobs.submit(request, options)).handle,
    poll: (handle) => jobs.status(handle),
    finish: (handle) => jobs.wait(handle, { intervalMs: 0 }),
    download: async (job) => (await jobs.download(job)).map((image) => image.bytes),
  };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Runs `step` and returns its wall and CPU milliseconds (client and server share this process). */
async function timed(step) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await step();
  const wallMs = performance.now() - started;
  const spent = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (spent.user + spent.system) / 1000, result };
}

async function main() {
  const moduleUrl = pathToFileURL(join(PKG_DIR, 'dist', 'index.js')).href;
  const { createMockServer, imageSize, serve } = await import(moduleUrl);
  const folder = mkdtempSync(join(tmpdir(), 'imagegen-bench-'));
  const wanted = (process.env.BENCH_APIS ?? '').split(',').map((slug) => slug.trim()).filter(Boolean);
  const slugs = createMockServer().apis.map((api) => api.slug).filter((slug) => wanted.length === 0 || wanted.includes(slug));
  const lifecycles = Object.fromEntries(await Promise.all(slugs.map(async (slug) => [slug, await lifecycleOf(slug)])));
  const apis = Object.fromEntries(Object.entries(lifecycles).flatMap(([slug, lifecycle]) => (lifecycle.benchConfig ? [[slug, lifecycle.benchConfig(folder)]] : [])));
  const running = await serve(createMockServer({ timing: 'instant', apis }), { port: 0 });
  const results = {};
  try {
    for (const [slug, lifecycle] of Object.entries(lifecycles)) {
      const api = await stepsOf(lifecycle, running.baseUrl(slug));
      const lifeCycle = async (request) => {
        const job = await api.finish(await api.start(request));
        return { job, images: await api.download(job) };
      };
      const bare = async (request, cachedJob) => {
        await api.poll(await api.start(request));
        return { job: cachedJob, images: await api.download(cachedJob) };
      };
      results[slug] = {};
      for (const tier of TIERS.filter((name) => name in lifecycle.tiers)) {
        const input = api.requestAt(tier);
        const first = await timed(() => lifeCycle(input));
        const size = imageSize(first.result.images[0]);
        const cachedJob = first.result.job;
        const cycles = [];
        const bares = [];
        for (let run = 0; run < RUNS_AT[tier]; run++) {
          // Interleaved, so a change in background load reaches both sides alike.
          cycles.push(await timed(() => lifeCycle(input)));
          bares.push(await timed(() => bare(input, cachedJob)));
        }
        for (const bytes of [...cycles, ...bares].flatMap(({ result }) => result.images)) {
          const got = imageSize(bytes);
          if (got.width !== size.width || got.height !== size.height) throw new Error(`${slug} ${tier}: got ${got.width}x${got.height}, expected ${size.width}x${size.height}`);
        }
        results[slug][tier] = {
          size: `${size.width}x${size.height}`,
          format: size.format,
          runs: cycles.length,
          firstMs: first.wallMs,
          medianMs: median(cycles.map((c) => c.wallMs)),
          medianCpuMs: median(cycles.map((c) => c.cpuMs)),
          bareMedianMs: median(bares.map((c) => c.wallMs)),
          bareMedianCpuMs: median(bares.map((c) => c.cpuMs)),
          images: first.result.images.length,
          kib: first.result.images.reduce((sum, bytes) => sum + bytes.length, 0) / 1024,
        };
      }
    }
  } finally {
    await running.close();
    rmSync(folder, { recursive: true, force: true });
  }
  return results;
}

/** The section as bench-vs-prism.mjs prints it. */
export function printLifecycles(results) {
  const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const header = ['API', 'size', 'first', 'median', 'CPU', 'bare round trips', 'CPU', 'ratio'];
  const rows = [];
  for (const [slug, tiers] of Object.entries(results)) {
    for (const tier of TIERS) {
      const r = tiers[tier];
      if (!r) continue;
      rows.push([slug, `${tier} ${r.size} ${r.format}`, `${fmt(r.firstMs)} ms`, `${fmt(r.medianMs, 2)} ms`, `${fmt(r.medianCpuMs, 2)} ms`, `${fmt(r.bareMedianMs, 2)} ms`, `${fmt(r.bareMedianCpuMs, 2)} ms`, `${fmt(r.medianMs / r.bareMedianMs, 2)}x`]);
    }
  }
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  const render = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(render(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((cells) => console.log(render(cells)));
  console.log('median of the measured life cycles (submit, poll until done, download the new images) with the project\'s client.jobs,');
  console.log('in-process, instant clock; bare round trips = submit + one poll + a download of images of the same size the mock');
  console.log('already has; ratio = median life cycle / median bare round trips (wall time; CPU of the whole process beside it).');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await main();
  if (process.argv.includes('--table')) printLifecycles(results);
  else console.log(JSON.stringify(results));
}
