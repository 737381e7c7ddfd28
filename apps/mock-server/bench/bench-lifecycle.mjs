#!/usr/bin/env node
// What a test suite pays per generation: one whole life cycle (create, poll until done, download the
// image) through the project's own client, in-process against the mock with the instant clock, per
// API at 1k, 2k and 4k. Beside each, the same client's bare round trips: create + one poll + a
// download of a file the mock already has (same size), so the ratio says what rendering the job's
// own image adds. Run by bench-vs-prism.mjs in a fresh process (so "first" is a real first life
// cycle: validator set-up, JIT, the first render); prints one JSON line. Standalone:
//
//   node bench/bench-lifecycle.mjs [--table]
//
// Settings (environment): BENCH_LIFECYCLE_RUNS measured life cycles per API and size (default 30, 3-500);
// BENCH_APIS as for bench-vs-prism.mjs.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient, isTerminalTask } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import { intFromEnv } from './bench-settings.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = intFromEnv('BENCH_LIFECYCLE_RUNS', 30, 3, 500);
/** 4k life cycles cost most and say least (the goal is set at 2k): fewer of them. */
const RUNS_AT = { '1k': RUNS, '2k': RUNS, '4k': Math.max(3, Math.ceil(RUNS / 3)) };
const TIERS = ['1k', '2k', '4k'];
const MAX_POLLS = 50;


/** Polls with the client's one-shot read until `done(state)`; a life cycle must not loop forever. */
async function pollUntil(read, done) {
  for (let polls = 0; polls < MAX_POLLS; polls++) {
    const state = await read();
    if (done(state)) return state;
  }
  throw new Error(`not done after ${MAX_POLLS} polls`);
}

/** A LumozAI catalog with one model per size (the shipped ones make 1024 px images). */
function lumozCatalog() {
  const shipped = JSON.parse(readFileSync(join(PKG_DIR, 'data', 'lumozai', 'models.json'), 'utf8'));
  const base = shipped.models.find((model) => model.model_id === 'hidream-l1');
  const side = { '1k': 1024, '2k': 2048, '4k': 4096 };
  return { models: TIERS.map((tier) => ({ ...base, model_id: `bench-${tier}`, output_size: { width: side[tier], height: side[tier] } })) };
}

/**
 * Per API: a client, and per size tier the three steps of a life cycle. `start` creates the job and
 * returns what `poll` needs; `poll` polls once and says whether it is done and where the image is;
 * `download` fetches an image URL with the client and returns its bytes. Tiers an API cannot make
 * are absent (Luma Agents makes 2048 px outputs only; useapi.net's largest is 1080p).
 */
const APIS = {
  lumixai: (baseUrl) => {
    const client = createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false });
    const tiers = Object.fromEntries(TIERS.map((tier) => [tier, { model: 'flux-kontext', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: tier }]));
    return {
      tiers,
      start: async (input) => (await client.createJob(input)).id,
      async poll(id) {
        const job = await client.getJob(id);
        return { done: job.status === 'done', url: job.data?.[0]?.download_url };
      },
      download: async (url) => (await client.download(url)).bytes,
    };
  },
  lumen: (baseUrl) => {
    const client = createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false });
    const tiers = Object.fromEntries(TIERS.map((tier) => [tier, { model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', size: '1:1', resolution: tier.toUpperCase() }]));
    return {
      tiers,
      start: async (input) => (await client.createGenerationTask(input)).id,
      async poll(id) {
        const task = await client.getTask(id);
        return { done: isTerminalTask(task), url: task.data?.[0]?.url };
      },
      download: async (url) => (await client.downloadImage(url)).bytes,
    };
  },
  'luma-agents': (baseUrl) => {
    const client = createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false });
    return {
      tiers: { '2k': { prompt: 'A glass of iced coffee on a marble countertop', aspect_ratio: '1:1', output_format: 'png' } },
      start: async (input) => (await client.createGeneration(input)).id,
      async poll(id) {
        const generation = await client.getGeneration(id);
        return { done: generation.state === 'completed' || generation.state === 'failed', url: generation.output?.[0]?.url };
      },
      download: async (url) => (await client.downloadOutput(url)).bytes,
    };
  },
  'useapi-luma': (baseUrl) => {
    const client = createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false });
    return {
      // 1080p at 1:1 is 1080x1080, the nearest to 1k it makes.
      tiers: { '1k': { prompt: 'a lighthouse at dusk', aspect_ratio: '1:1', resolution: '1080p' } },
      start: async (input) => (await client.createImages(input)).jobids[0],
      async poll(id) {
        const job = await client.getJob(id);
        return { done: job.status === 'completed' || job.status === 'failed', url: job.response?.image?.url };
      },
      // The CDN URL is public and the client has no helper for it: users fetch it.
      download: async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()),
    };
  },
  lumozai: (baseUrl) => {
    // `Prefer: respond-async` makes the run answer with its request_id alone, so the life cycle polls.
    const preferAsync = (input, init) => {
      const request = new globalThis.Request(input, init);
      request.headers.set('Prefer', 'respond-async');
      return fetch(request);
    };
    const client = createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false, fetch: preferAsync });
    const tiers = Object.fromEntries(TIERS.map((tier) => [tier, { model_id: `bench-${tier}`, prompt: 'A beautiful sunset over mountains' }]));
    return {
      tiers,
      start: async (input) => (await client.run(input)).data.request_id,
      async poll(id) {
        const state = await client.check(id);
        return { done: state.status === 'completed' || state.status === 'failed', url: state.output };
      },
      download: async (url) => (await client.download(url)).bytes,
    };
  },
};

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
  const modelsFile = join(folder, 'models.json');
  writeFileSync(modelsFile, JSON.stringify(lumozCatalog()));
  const wanted = (process.env.BENCH_APIS ?? '').split(',').map((slug) => slug.trim()).filter(Boolean);
  const running = await serve(createMockServer({ timing: 'instant', apis: { lumozai: { modelsFile } } }), { port: 0 });
  const results = {};
  try {
    for (const slug of wanted.length > 0 ? wanted.filter((s) => s in APIS) : Object.keys(APIS)) {
      const api = APIS[slug](running.baseUrl(slug));
      const lifeCycle = async (input) => {
        const id = await api.start(input);
        const { url } = await pollUntil(() => api.poll(id), (state) => state.done);
        return { url, bytes: await api.download(url) };
      };
      const bare = async (input, cachedUrl) => {
        const id = await api.start(input);
        await api.poll(id);
        return { url: cachedUrl, bytes: await api.download(cachedUrl) };
      };
      results[slug] = {};
      for (const [tier, input] of Object.entries(api.tiers)) {
        const first = await timed(() => lifeCycle(input));
        const size = imageSize(first.result.bytes);
        const cachedUrl = first.result.url;
        const cycles = [];
        const bares = [];
        for (let run = 0; run < RUNS_AT[tier]; run++) {
          // Interleaved, so a change in background load reaches both sides alike.
          cycles.push(await timed(() => lifeCycle(input)));
          bares.push(await timed(() => bare(input, cachedUrl)));
        }
        for (const { result } of [...cycles, ...bares]) {
          const got = imageSize(result.bytes);
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
          kib: first.result.bytes.length / 1024,
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
  console.log('median of the measured life cycles (create, poll until done, download the new image) with the project\'s client,');
  console.log('in-process, instant clock; bare round trips = create + one poll + a download of an image of the same size the mock');
  console.log('already has; ratio = median life cycle / median bare round trips (wall time; CPU of the whole process beside it).');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const results = await main();
  if (process.argv.includes('--table')) printLifecycles(results);
  else console.log(JSON.stringify(results));
}
