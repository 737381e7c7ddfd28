#!/usr/bin/env node
// Our mock server against the real Prism CLI (`prism mock`) on the same spec, in one run: what a whole
// generation costs through the project's clients (life cycle, ours only: Prism has no state), start-up
// (spawn to first answered request, and in-process) and then throughput, same routes, same load, with
// a plain node:http server as the ceiling for GETs. Every goal gets a VERDICT line at the end.
// Run from the repo root with `pnpm bench` (builds first), or from apps/mock-server with
// `pnpm bench` once dist/ is built.
//
// Every API goes through its own file, bench/apis/<slug>.mjs (its routes, key and bodies), found by slug.
//
// Settings (environment):
//   BENCH_ONLY         `lifecycle`, `startup` or `throughput` to run one part (default: all three)
//   BENCH_LIFECYCLE_RUNS  life cycles measured per API and size (default 30, 3-500; a third of them at 4k)
//   BENCH_APIS         comma-separated slugs to measure (default: every mounted API)
//   BENCH_STARTUP_RUNS start-ups measured per server and way of starting; medians are reported
//                      (default 7, 1-50)
//   BENCH_DURATION     seconds measured per route and server (default 5, 1-120)
//   BENCH_WARMUP       seconds of unmeasured load per route before measuring (default 2, 0-30)
//   BENCH_CONNECTIONS  concurrent autocannon connections (default 10, 1-500)
//   BENCH_ROUNDS       times each server is measured, alternating which goes first; each route
//                      keeps its best round (default 1, 1-10). Other work on the machine can only
//                      slow a run down, so on a shared box the best of 3 is the fairest figure.
//   BENCH_PROFILE=1    run our server with --cpu-prof; profiles land in bench/results/profiles
//                      (summarise one with `node bench/summarize-cpuprofile.mjs <file>`)
//
// Exit code: 0 when every measured response was the expected 2xx, 1 on any error (a server that does
// not start, a non-2xx answer, socket errors). Missing a target is reported loudly but is not an
// error: the figures are still valid, they are just not good enough yet.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { dirname, join, relative } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

import autocannon from 'autocannon';

import { intFromEnv } from './bench-settings.mjs';
import { freePort as freePortOn } from './free-port.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_DIR = join(PKG_DIR, '..', '..');
const specOf = (slug) => join(REPO_DIR, 'spec', slug, 'openapi.yaml');
const OUR_CLI = join(PKG_DIR, 'dist', 'cli.js');
const PRISM_BIN = join(PKG_DIR, 'node_modules', '.bin', 'prism');
const RESULTS_DIR = join(PKG_DIR, 'bench', 'results');
const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';
const freePort = () => freePortOn(HOST);

const SETTINGS = {
  duration: intFromEnv('BENCH_DURATION', 5, 1, 120),
  warmup: intFromEnv('BENCH_WARMUP', 2, 0, 30),
  connections: intFromEnv('BENCH_CONNECTIONS', 10, 1, 500),
  rounds: intFromEnv('BENCH_ROUNDS', 1, 1, 10),
  profile: process.env.BENCH_PROFILE === '1',
  startupRuns: intFromEnv('BENCH_STARTUP_RUNS', 7, 1, 50),
  lifecycle: [undefined, '', 'lifecycle'].includes(process.env.BENCH_ONLY),
  startup: [undefined, '', 'startup'].includes(process.env.BENCH_ONLY),
  throughput: [undefined, '', 'throughput'].includes(process.env.BENCH_ONLY),
};
if (!['', undefined, 'lifecycle', 'startup', 'throughput'].includes(process.env.BENCH_ONLY)) throw new Error(`BENCH_ONLY must be lifecycle, startup or throughput, got ${process.env.BENCH_ONLY}`);

/** The two comparisons the issue sets targets for: ours must serve this many times Prism's req/s. */
const MODES = [
  { name: 'default', title: 'default logging (ours: one line per request; Prism: --verboseLevel info)', silent: false, target: 10 },
  { name: 'silent', title: 'silent (ours: --quiet; Prism: --verboseLevel silent)', silent: true, target: 5 },
];
/** Ours must answer GETs (silent) at this share of a plain node:http server's req/s or more. */
const PLAIN_HTTP_SHARE_TARGET = 0.5;
/** A life cycle at 2k must cost at most this many times the same client's bare round trips. */
const LIFECYCLE_RATIO_TARGET = 3;

/**
 * Every API the bench measures, keyed by the slug the mock mounts it under, each from its own file
 * `bench/apis/<slug>.mjs` (found by slug once the mounted APIs are known: no list to edit). Paths
 * are relative to each server's base URL; both servers get the same method, path, headers and body.
 */
const APIS = {};

/**
 * Settings our server gets for the APIs whose entry has `mockConfig` (a bench key, say), as
 * `IMAGEGEN_MOCK_CONFIG_JSON`; the other APIs keep their defaults.
 */
function ourConfigEnv() {
  const apis = Object.fromEntries(Object.entries(APIS).flatMap(([slug, entry]) => (entry.mockConfig ? [[slug, entry.mockConfig]] : [])));
  return Object.keys(apis).length > 0 ? { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ apis }) } : {};
}

/** Routes both servers serve, compared side by side; `oursOnly` routes (outside the spec) are reported on their own. */
const sideBySide = (routes) => routes.filter((route) => !route.oursOnly);

/** Slug -> base path of every API the mock mounts, asked of the mock itself once dist/ is built. */
let MOUNTED;
/** The routes measured (those of the selected APIs), set once the APIs are known. */
let ROUTES = [];

/** The slugs measured: BENCH_APIS, or every mounted API. Every mounted API needs an entry in APIS. */
async function selectedApis() {
  const { createMockServer } = await import(pathToFileURL(join(PKG_DIR, 'dist', 'index.js')).href);
  MOUNTED = Object.fromEntries(createMockServer().apis.map((api) => [api.slug, api.basePath]));
  const wanted = (process.env.BENCH_APIS ?? '').split(',').map((slug) => slug.trim()).filter(Boolean);
  const slugs = wanted.length > 0 ? wanted : Object.keys(MOUNTED);
  const unknown = slugs.filter((slug) => !(slug in MOUNTED));
  if (unknown.length > 0) throw new Error(`BENCH_APIS names APIs the mock does not mount: ${unknown.join(', ')}; mounted: ${Object.keys(MOUNTED).join(', ')}`);
  for (const slug of Object.keys(MOUNTED)) {
    const file = join(PKG_DIR, 'bench', 'apis', `${slug}.mjs`);
    if (!existsSync(file)) throw new Error(`no bench entry for ${slug}: add ${relative(process.cwd(), file)}`);
    APIS[slug] = (await import(pathToFileURL(file).href)).default;
  }
  return slugs;
}

/** Every measured route of the selected APIs, named `<slug> <METHOD path>`. */
function routesOf(slugs) {
  return slugs.flatMap((slug) => APIS[slug].routes.map((route) => ({ ...route, slug, name: `${slug} ${route.name}` })));
}

const SERVERS = [
  {
    name: 'ours',
    // Request and response validation stay on (the defaults): that is the server users run.
    command: (port, mode) => ({
      file: process.execPath,
      args: [
        ...(SETTINGS.profile ? ['--cpu-prof', '--cpu-prof-dir', join(RESULTS_DIR, 'profiles'), '--cpu-prof-name', `ours-${mode.name}-${Date.now()}.cpuprofile`] : []),
        OUR_CLI, '--port', String(port), '--host', HOST, '--timing', 'instant',
        ...(mode.silent ? ['--quiet'] : []),
      ],
      env: ourConfigEnv(),
    }),
    // Every API is mounted, each under its own prefix.
    basePath: (slug) => MOUNTED[slug],
  },
  {
    name: 'prism',
    // The shim execs node on Prism's CLI, so the child pid is Prism itself and signals reach it.
    // One spec per Prism process: the API being measured.
    command: (port, mode, slug) => ({
      file: PRISM_BIN,
      args: ['mock', specOf(slug), '--port', String(port), '--host', HOST, ...(mode.silent ? ['--verboseLevel', 'silent'] : [])],
    }),
    basePath: (slug) => APIS[slug].prismBasePath,
  },
];

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat's CPU times (undefined off Linux). */
const CLOCK_TICKS = clockTicks();

/** Children still running, killed on every way out so no server outlives the benchmark. */
const children = new Set();
/** The autocannon run in progress, stopped on Ctrl-C so the process can exit. */
let currentLoad;


function clockTicks() {
  if (process.platform !== 'linux') return undefined;
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/**
 * CPU seconds (user + system, all threads) a process has used so far. CPU per request is far less
 * sensitive than req/s to other work on the machine, so it backs up the req/s figures on a busy box.
 */
function cpuSeconds(pid) {
  if (CLOCK_TICKS === undefined) return undefined;
  try {
    // The command name may hold spaces and parentheses: fields are counted after its closing ')'.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return undefined;
  }
}

/** Rebuilds dist/ when a source file is newer, so we never benchmark yesterday's code. */
function ensureBuilt() {
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const built = existsSync(OUR_CLI) ? statSync(OUR_CLI).mtimeMs : 0;
  if (built >= newest(join(PKG_DIR, 'src'))) return;
  console.log(built === 0 ? 'dist/ is missing: building...' : 'dist/ is older than src/: rebuilding...');
  execFileSync(join(PKG_DIR, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: PKG_DIR, stdio: 'inherit' });
  execFileSync(process.execPath, [join(PKG_DIR, 'scripts', 'bundle.mjs')], { cwd: PKG_DIR, stdio: 'inherit' });
}

/**
 * Starts one server as a child process. Its stdout and stderr are piped into this process and
 * discarded: writing the log lines is part of the cost we measure, so they must really be written
 * to a pipe (as to a terminal or a CI log), yet must never fill the pipe and stall the server.
 */
async function startServer(server, mode, slug) {
  const port = await freePort();
  const { file, args, env } = server.command(port, mode, slug);
  const child = spawn(file, args, { cwd: PKG_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.add(child);
  const output = { bytes: 0, tail: '' };
  const drain = (chunk) => {
    output.bytes += chunk.length;
    // Keep only the end, to explain a failed start; cheap enough not to slow the drain.
    if (chunk.length >= 2048) output.tail = chunk.subarray(chunk.length - 2048).toString();
    else output.tail = (output.tail + chunk.toString()).slice(-2048);
  };
  child.stdout.on('data', drain);
  child.stderr.on('data', drain);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));

  const baseUrl = `http://${HOST}:${port}${server.basePath(slug)}`;
  await waitUntilReady(baseUrl, APIS[slug].ready, exited, output, server.name);
  return {
    baseUrl,
    output,
    cpu: () => cpuSeconds(child.pid),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls the API's ready route until it answers; fails fast if the child dies first. */
async function waitUntilReady(baseUrl, ready, exited, output, name) {
  let dead;
  exited.then((how) => (dead = how));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`${name} exited during start-up (${JSON.stringify(dead)}):\n${output.tail}`);
    try {
      if ((await ask(`${baseUrl}${ready.path}`, ready)) === ready.status) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error(`${name} did not answer ${ready.method} ${baseUrl}${ready.path} within 60 s:\n${output.tail}`);
}

/** One autocannon run; resolves with its raw result. */
function load(url, route, seconds) {
  const instance = autocannon({
    url,
    method: route.method,
    headers: route.headers,
    body: route.body,
    connections: SETTINGS.connections,
    duration: seconds,
  });
  currentLoad = instance;
  // The instance is a thenable, not a full Promise: wrap it to get finally().
  return Promise.resolve(instance).finally(() => (currentLoad = undefined));
}

/** What we keep of a run, and whether every answer was the route's documented success status. */
function summarise(result, route, cpuSec) {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  const unexpected = Object.entries(statusCodes).filter(([code]) => Number(code) !== route.status);
  const problems = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} non-2xx responses`);
  if (unexpected.length > 0) problems.push(`unexpected statuses ${unexpected.map(([code, n]) => `${code}x${n}`).join(', ')} (expected ${route.status})`);
  if (result.errors > 0) problems.push(`${result.errors} socket errors (${result.timeouts} timeouts)`);
  if (result.requests.total === 0) problems.push('no responses at all');
  return {
    reqPerSec: result.requests.average,
    total: result.requests.total,
    cpuUsPerReq: cpuSec === undefined ? undefined : (cpuSec * 1e6) / result.requests.total,
    durationSec: result.duration,
    bytesPerReq: result.requests.total > 0 ? result.throughput.total / result.requests.total : undefined,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    statusCodes,
    non2xx: result.non2xx,
    errors: result.errors,
    problems,
  };
}

/** Warms one route up (result checked, figures discarded), then measures it. */
async function benchRoute(running, routeOf, ctx, label) {
  // A body may depend on what prepare() made (an id to check), like a path.
  const route = typeof routeOf.body === 'function' ? { ...routeOf, body: routeOf.body(ctx) } : routeOf;
  const url = route.url ? route.url(ctx) : `${running.baseUrl}${route.path(ctx)}`;
  if (SETTINGS.warmup > 0) {
    const warm = summarise(await load(url, route, SETTINGS.warmup), route);
    // A route that already fails while warming up would only measure error handling.
    if (warm.problems.length > 0) return { ...warm, problems: warm.problems.map((p) => `warm-up: ${p}`) };
  }
  const cpuBefore = running.cpu();
  const result = await load(url, route, SETTINGS.duration);
  const cpuAfter = running.cpu();
  const measured = summarise(result, route, cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore);
  process.stdout.write(`  ${label.padEnd(8)} ${route.name.padEnd(34)} ${fmt(measured.reqPerSec, 0).padStart(8)} req/s  p99 ${String(measured.latencyMs.p99).padStart(4)} ms  ${fmt(measured.cpuUsPerReq, 0).padStart(6)} µs CPU/req${measured.problems.length ? `  ERROR: ${measured.problems.join('; ')}` : ''}\n`);
  return measured;
}

/** Starts one server, runs one API's routes against it (one at a time: never two loads on 2 cores), stops it. */
async function benchServer(server, mode, label, slug, plain) {
  const running = await startServer(server, mode, slug);
  try {
    const ctx = await APIS[slug].prepare(running.baseUrl, server.name);
    const routes = {};
    for (const route of ROUTES.filter((candidate) => candidate.slug === slug && (server.name === 'ours' || !candidate.oursOnly))) {
      routes[route.name] = await benchRoute(running, route, ctx, label);
      // The GET ceiling, paired with each of our GET routes (silent mode only: `plain` is given then).
      if (plain && server.name === 'ours' && route.method === 'GET' && !route.oursOnly) routes[route.name].plainAfter = await plain.measure(route.name);
    }
    return { routes, logBytes: running.output.bytes };
  } finally {
    await running.stop();
    // Let the CPU settle so the next server does not start in the previous one's shadow.
    await sleep(1000);
  }
}

/** Per route, the round with the most req/s (with its own p99 and CPU figures); the others are listed. */
function bestOf(rounds) {
  const routes = {};
  for (const route of ROUTES) {
    const runs = rounds.map((round) => round.routes[route.name]).filter((run) => run !== undefined);
    if (runs.length === 0) continue; // an oursOnly route, on Prism
    const best = runs.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a));
    routes[route.name] = { ...best, reqPerSecByRound: runs.map((run) => run.reqPerSec) };
  }
  return { routes, logBytes: rounds.reduce((sum, round) => sum + round.logBytes, 0) / rounds.length };
}

/** Whole-mode figure: all responses over all measured seconds, i.e. each route weighted by its time. */
function overall(routes) {
  const runs = Object.values(routes);
  const total = runs.reduce((sum, run) => sum + run.total, 0);
  const seconds = runs.reduce((sum, run) => sum + run.durationSec, 0);
  const cpuUs = runs.reduce((sum, run) => sum + run.cpuUsPerReq * run.total, 0);
  return { reqPerSec: total / seconds, worstP99Ms: Math.max(...runs.map((run) => run.latencyMs.p99)), cpuUsPerReq: cpuUs / total };
}

/** One table row; cpuRatio > 1 means ours spends less CPU per request than Prism. */
function row(route, a, aP99, b, bP99) {
  return {
    route,
    ours: a.reqPerSec, oursP99: aP99, oursCpuUs: a.cpuUsPerReq,
    prism: b.reqPerSec, prismP99: bP99, prismCpuUs: b.cpuUsPerReq,
    ratio: a.reqPerSec / b.reqPerSec,
    cpuRatio: b.cpuUsPerReq / a.cpuUsPerReq,
  };
}

function compare(mode, ours, prism) {
  const rows = sideBySide(ROUTES).map((route) => {
    const a = ours.routes[route.name];
    const b = prism.routes[route.name];
    // A run that got errors measured error handling, not the route: flag its row.
    const failed = a.problems.length > 0 || b.problems.length > 0;
    return row(failed ? `${route.name} (ERROR)` : route.name, a, a.latencyMs.p99, b, b.latencyMs.p99);
  });
  const compared = (routes) => Object.fromEntries(sideBySide(ROUTES).map((route) => [route.name, routes[route.name]]));
  const a = overall(compared(ours.routes));
  const b = overall(compared(prism.routes));
  const total = row('overall', a, a.worstP99Ms, b, b.worstP99Ms);
  return { rows, overall: total, met: total.ratio >= mode.target, routesMissed: rows.filter((row) => row.ratio < mode.target).map((row) => row.route) };
}

function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';
}

/** Ratios are rounded down, so 1.499x never prints as a "1.50x" that missed a 1.5x target. */
function fmtRatio(value) {
  return Number.isFinite(value) ? `${fmt(Math.floor(value * 100) / 100, 2)}x` : 'n/a';
}

function printTable(mode, comparison, ours, prism) {
  const header = ['route', 'ours req/s', 'ours p99', 'prism req/s', 'prism p99', 'req/s ratio', 'ours CPU/req', 'prism CPU/req', 'CPU ratio'];
  const line = (r) => [
    r.route, fmt(r.ours, 0), `${r.oursP99} ms`, fmt(r.prism, 0), `${r.prismP99} ms`, fmtRatio(r.ratio),
    `${fmt(r.oursCpuUs, 0)} µs`, `${fmt(r.prismCpuUs, 0)} µs`, fmtRatio(r.cpuRatio),
  ];
  const table = [header, ...comparison.rows.map(line), line(comparison.overall)];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  const render = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(`\n${mode.title} — target: ours >= ${mode.target}x Prism req/s`);
  console.log(render(table[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  table.slice(1, -1).forEach((cells) => console.log(render(cells)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  console.log(render(table.at(-1)));
  console.log(`req/s ratio = ours/prism throughput (the target); CPU ratio = prism/ours server CPU per request, less sensitive to`);
  console.log(`other load on the machine; overall p99 = the worst route's; autocannon records latency in whole ms.`);
  console.log(`log output written: ours ${fmt(ours.logBytes / 1024, 0)} KiB, prism ${fmt(prism.logBytes / 1024, 0)} KiB`);
  printOursOnly(ours);
}

/** Routes outside the specs (presigned outputs, result files): ours alone, with the size of each answer. */
function printOursOnly(ours) {
  const routes = ROUTES.filter((route) => route.oursOnly);
  if (routes.length === 0) return;
  console.log('\nours only (not in the spec, so Prism cannot serve them):');
  for (const route of routes) {
    const run = ours.routes[route.name];
    console.log(
      `  ${route.name.padEnd(40)} ${fmt(run.reqPerSec, 0).padStart(8)} req/s  p99 ${String(run.latencyMs.p99).padStart(4)} ms  ${fmt(run.cpuUsPerReq, 0).padStart(6)} µs CPU/req  ${fmt((run.bytesPerReq ?? NaN) / 1024, 1).padStart(6)} KiB/answer${run.problems.length ? '  (ERROR)' : ''}`,
    );
  }
}

function verdictLine(mode, comparison) {
  const { ratio, cpuRatio } = comparison.overall;
  const figures = `ours serves ${fmtRatio(ratio)} Prism's req/s (target >= ${mode.target}x); Prism spends ${fmtRatio(cpuRatio)} our CPU per request`;
  const below = comparison.routesMissed.length ? `; below target on: ${comparison.routesMissed.join(', ')}` : '';
  return comparison.met
    ? `VERDICT ${mode.name}: met — ${figures}${below}`
    : `VERDICT ${mode.name}: !!!!! MISSED !!!!! — ${figures}${below}`;
}

function gitRevision() {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

function killChildren() {
  for (const child of children) child.kill('SIGKILL');
}

/** Every way out kills the servers; a watchdog bounds the whole run in time. */
function installSafetyNets(slugs) {
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping servers`);
      currentLoad?.stop();
      killChildren();
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  const perServer = (ROUTES.length / slugs.length) * (SETTINGS.warmup + SETTINGS.duration) + 75; // + start-up, stop, settle
  const throughputMs = SETTINGS.throughput ? 2 * SETTINGS.rounds * MODES.length * SERVERS.length * slugs.length * perServer * 1000 : 0;
  const startupMs = SETTINGS.startup ? slugs.length * SETTINGS.startupRuns * STARTUPS.length * STARTUP_TIMEOUT_MS : 0;
  const lifecycleMs = SETTINGS.lifecycle ? 600_000 : 0;
  const plainHttpMs = SETTINGS.throughput ? SETTINGS.rounds * (ROUTES.filter((route) => route.method === 'GET').length * (SETTINGS.warmup + SETTINGS.duration) + 15) * 1000 : 0;
  const budgetMs = throughputMs + startupMs + lifecycleMs + plainHttpMs + 60_000;
  setTimeout(() => {
    console.error(`benchmark exceeded its ${Math.round(budgetMs / 1000)} s budget: aborting`);
    killChildren();
    process.exit(1);
  }, budgetMs).unref();
}

// ---------------------------------------------------------------------------------------------
// Start-up: how long until a server answers its first request, the way a test suite or a person
// starts it. Each figure is the median of BENCH_STARTUP_RUNS runs, alternating who goes first.

/** Every start-up must end in this long, or the bench fails. */
const STARTUP_TIMEOUT_MS = 30_000;
/** What the issue sets: ours, to every mounted API answered once, this many times faster than `prism mock` of one spec. */
const STARTUP_TARGETS = { cli: 3, inProcess: 5 };

/** One request with node:http (no keep-alive, nothing to warm up); resolves with the status. */
function ask(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    request.once('error', reject);
    request.end(body);
  });
}

async function expectStatus(url, ready) {
  const status = await ask(url, ready);
  if (status !== ready.status) throw new Error(`${ready.method} ${url} answered ${status}, expected ${ready.status}`);
}

/** The ready request of each mounted API, the measured one first. */
function readyRequests(first) {
  return [first, ...Object.keys(MOUNTED).filter((slug) => slug !== first)].map((slug) => ({ slug, ...APIS[slug].ready }));
}

/**
 * Spawns a CLI, waits for the line saying it listens, then asks the API's ready route (and then
 * every other mounted API's). Timed from just before spawn; CPU is the child's own, read from /proc.
 */
async function timeCli(file, args, basePathOf, slug) {
  const port = Number(args[args.indexOf('--port') + 1]);
  const started = performance.now();
  const child = spawn(file, args, { cwd: PKG_DIR, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));
  try {
    let output = '';
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${file} printed no "listening on" within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output.slice(-2048)}`)), STARTUP_TIMEOUT_MS);
      const watch = (chunk) => {
        output += chunk.toString();
        if (/listening on/i.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
      exited.then((how) => reject(new Error(`${file} exited during start-up (${JSON.stringify(how)}):\n${output.slice(-2048)}`)));
    });
    const requests = readyRequests(slug).filter((request) => basePathOf(request.slug) !== undefined);
    await expectStatus(`http://${HOST}:${port}${basePathOf(slug)}${requests[0].path}`, requests[0]);
    const firstMs = performance.now() - started;
    const cpuMs = (cpuSeconds(child.pid) ?? NaN) * 1000;
    for (const request of requests.slice(1)) await expectStatus(`http://${HOST}:${port}${basePathOf(request.slug)}${request.path}`, request);
    return { firstMs, allMs: performance.now() - started, cpuMs };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** A fresh node running bench/startup-in-process.mjs: import, createMockServer(), serve(), first answer. */
async function timeInProcess(slug) {
  const script = join(PKG_DIR, 'bench', 'startup-in-process.mjs');
  const moduleUrl = pathToFileURL(join(PKG_DIR, 'dist', 'index.js')).href;
  const { stdout } = await execFileAsync(process.execPath, [script, moduleUrl, JSON.stringify(readyRequests(slug))], { cwd: PKG_DIR, timeout: STARTUP_TIMEOUT_MS });
  return JSON.parse(stdout);
}

/** The three ways of starting that are timed, per API. */
const STARTUPS = [
  {
    name: 'prism',
    async run(slug) {
      const port = await freePort();
      return timeCli(PRISM_BIN, ['mock', specOf(slug), '--host', HOST, '--port', String(port)], (s) => (s === slug ? APIS[s].prismBasePath : undefined), slug);
    },
  },
  {
    name: 'ours CLI',
    async run(slug) {
      const port = await freePort();
      return timeCli(process.execPath, [OUR_CLI, '--host', HOST, '--port', String(port), '--timing', 'instant'], (s) => MOUNTED[s], slug);
    },
  },
  { name: 'ours in-process', run: timeInProcess },
];

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function benchStartup(slugs) {
  console.log(`\n== start-up: spawn to first answered request, median of ${SETTINGS.startupRuns} runs, ${Object.keys(MOUNTED).length} API(s) mounted on ours (${Object.keys(MOUNTED).join(', ')}) ==`);
  const results = {};
  for (const slug of slugs) {
    const runs = Object.fromEntries(STARTUPS.map((startup) => [startup.name, []]));
    for (let run = 0; run < SETTINGS.startupRuns; run++) {
      // Rotate who goes first, so a drift in background load does not always favour one side.
      const order = STARTUPS.map((_, i) => STARTUPS[(i + run) % STARTUPS.length]);
      for (const startup of order) runs[startup.name].push(await startup.run(slug));
      process.stdout.write('.');
    }
    process.stdout.write('\n');
    const pick = (name, key) => median(runs[name].map((r) => r[key]));
    results[slug] = {
      prism: { firstMs: pick('prism', 'firstMs'), cpuMs: pick('prism', 'cpuMs') },
      cli: { firstMs: pick('ours CLI', 'firstMs'), allMs: pick('ours CLI', 'allMs'), cpuMs: pick('ours CLI', 'cpuMs') },
      inProcess: Object.fromEntries(['importMs', 'createMs', 'serveMs', 'firstAnswerMs', 'firstMs', 'allMs', 'cpuMs', 'cpuAllMs'].map((key) => [key, pick('ours in-process', key)])),
      runs,
    };
  }
  printStartup(results);
  return results;
}

function printStartup(results) {
  const ms = (value) => `${fmt(value, 0)} ms`;
  const header = ['API', 'prism mock', 'ours CLI', 'CLI vs prism', 'ours in-process', 'in-process vs prism', 'ours, every API answered (CLI / in-process)'];
  const rows = Object.entries(results).map(([slug, r]) => [
    slug,
    `${ms(r.prism.firstMs)} (CPU ${ms(r.prism.cpuMs)})`,
    `${ms(r.cli.firstMs)} (CPU ${ms(r.cli.cpuMs)})`,
    `${fmtRatio(r.prism.firstMs / r.cli.firstMs)} faster`,
    `${ms(r.inProcess.firstMs)} (CPU ${ms(r.inProcess.cpuMs)})`,
    `${fmtRatio(r.prism.firstMs / r.inProcess.firstMs)} faster`,
    `${ms(r.cli.allMs)} / ${ms(r.inProcess.allMs)} (CPU ${ms(r.inProcess.cpuAllMs)})`,
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((cells) => cells[i].length)));
  const render = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  console.log(render(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((cells) => console.log(render(cells)));
  console.log('CLIs: wall time from spawn until the API\'s ready request is answered (ours with every API mounted), and the');
  console.log('process\'s CPU time by then. In-process: a fresh node, timed inside it from `import` to the first answer');
  console.log('(every API answered: its CPU to the last answer too).');
  for (const [slug, r] of Object.entries(results)) {
    const p = r.inProcess;
    console.log(`in-process ${slug}: import ${ms(p.importMs)}, createMockServer() ${ms(p.createMs)}, serve() ${ms(p.serveMs)}, first answer ${ms(p.firstAnswerMs)}`);
  }
}

function startupVerdicts(results) {
  const mounted = Object.keys(MOUNTED).length;
  return Object.entries(results).flatMap(([slug, r]) =>
    [
      ['CLI', r.cli.allMs, STARTUP_TARGETS.cli, r.prism.firstMs],
      ['in-process', r.inProcess.allMs, STARTUP_TARGETS.inProcess, r.prism.firstMs],
    ].map(([what, value, target, prism]) => {
      const figures = `${what}, every one of ${mounted} API(s) answered once, ${fmt(value, 0)} ms; prism mock of ${slug} alone ${fmt(prism, 0)} ms: ${fmtRatio(prism / value)} faster (target >= ${target}x)`;
      return prism / value >= target ? `VERDICT start-up: met — ${figures}` : `VERDICT start-up: !!!!! MISSED !!!!! — ${figures}`;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Life cycle: a whole generation through the project's clients, in a fresh process.

async function benchLifecycle() {
  console.log(`\n== life cycle: create, poll until done, download the new image, with each API's client, in-process, instant clock ==`);
  const { stdout } = await execFileAsync(process.execPath, [join(PKG_DIR, 'bench', 'bench-lifecycle.mjs')], { cwd: PKG_DIR, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  const results = JSON.parse(stdout);
  const { printLifecycles } = await import(pathToFileURL(join(PKG_DIR, 'bench', 'bench-lifecycle.mjs')).href);
  printLifecycles(results);
  return results;
}

function lifecycleVerdicts(results) {
  return Object.entries(results).map(([slug, tiers]) => {
    // The goal is set at 2k; an API that cannot make 2k is judged at the largest size it makes.
    const tier = tiers['2k'] ? '2k' : Object.keys(tiers).at(-1);
    const r = tiers[tier];
    const ratio = r.medianMs / r.bareMedianMs;
    const figures = `${slug} at ${tier} (${r.size}): median ${fmt(r.medianMs, 2)} ms, ${fmtRatio(ratio)} its bare round trips (${fmt(r.bareMedianMs, 2)} ms; target <= ${LIFECYCLE_RATIO_TARGET}x); first ${fmt(r.firstMs, 0)} ms`;
    return ratio <= LIFECYCLE_RATIO_TARGET ? `VERDICT life cycle: met — ${figures}` : `VERDICT life cycle: !!!!! MISSED !!!!! — ${figures}`;
  });
}

// ---------------------------------------------------------------------------------------------
// The ceiling for GETs: a plain node:http server answering a fixed JSON body, under the same load,
// measured right after each of our GET routes (silent), so both figures of a pair see the same
// machine: on a shared box the load moves by 2x within minutes, which a single measurement of the
// baseline at another moment would put into the ratio.

/** Starts the plain server; `measure()` warms it up and measures it for as long as a route is. */
async function startPlainHttp() {
  const port = await freePort();
  const script = join(PKG_DIR, 'bench', 'plain-http-server.mjs');
  const child = spawn(process.execPath, [script, String(port)], { cwd: PKG_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  exited.then(() => children.delete(child));
  const url = `http://${HOST}:${port}/`;
  const route = { name: 'GET / (plain node:http)', method: 'GET', headers: {}, status: 200 };
  await waitUntilReady(`http://${HOST}:${port}`, { method: 'GET', path: '/', headers: {}, status: 200 }, exited, { tail: '' }, 'plain node:http');
  return {
    async measure(after) {
      if (SETTINGS.warmup > 0) await load(url, route, SETTINGS.warmup);
      const cpuBefore = cpuSeconds(child.pid);
      const result = summarise(await load(url, route, SETTINGS.duration), route, cpuSeconds(child.pid) - cpuBefore);
      process.stdout.write(`  ${'node:http'.padEnd(8)} ${`(right after ${after})`.padEnd(34)} ${fmt(result.reqPerSec, 0).padStart(8)} req/s  p99 ${String(result.latencyMs.p99).padStart(4)} ms  ${fmt(result.cpuUsPerReq, 0).padStart(6)} µs CPU/req\n`);
      return result;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Our GET routes (silent) and the plain server measured right after each, in total over the measured seconds. */
function getsVsPlain(ours) {
  const gets = sideBySide(ROUTES).filter((route) => route.method === 'GET' && ours.routes[route.name]?.plainAfter !== undefined);
  const rate = (runs) => runs.reduce((sum, run) => sum + run.total, 0) / runs.reduce((sum, run) => sum + run.durationSec, 0);
  const oursReqPerSec = rate(gets.map((route) => ours.routes[route.name]));
  const plainReqPerSec = rate(gets.map((route) => ours.routes[route.name].plainAfter));
  return { routes: gets.map((route) => route.name), oursReqPerSec, plainReqPerSec, share: oursReqPerSec / plainReqPerSec };
}

function plainHttpVerdict(comparison) {
  const { routes, oursReqPerSec, plainReqPerSec, share } = comparison;
  const text = `ours answers its ${routes.length} GET routes (silent) at ${fmt(oursReqPerSec, 0)} req/s, ${fmt(100 * share, 0)}% of plain node:http's ${fmt(plainReqPerSec, 0)} req/s measured right after each (target >= ${100 * PLAIN_HTTP_SHARE_TARGET}%)`;
  return share >= PLAIN_HTTP_SHARE_TARGET ? `VERDICT GETs vs node:http: met — ${text}` : `VERDICT GETs vs node:http: !!!!! MISSED !!!!! — ${text}`;
}

async function main() {
  ensureBuilt();
  const slugs = await selectedApis();
  ROUTES = routesOf(slugs);
  installSafetyNets(slugs);
  const load1 = os.loadavg()[0];
  const cpus = os.availableParallelism();
  const roundsNote = SETTINGS.rounds > 1 ? `, best of ${SETTINGS.rounds} rounds` : '';
  console.log(`ours vs prism mock 5.14.2 on ${slugs.map((slug) => relative(REPO_DIR, specOf(slug))).join(', ')}`);
  console.log(`node ${process.version}, ${cpus} CPUs, load average ${load1.toFixed(2)}`);
  if (load1 > cpus / 2) console.log(`WARNING: the machine is busy (load ${load1.toFixed(2)} on ${cpus} CPUs): figures may be noisy (try BENCH_ROUNDS=3, BENCH_STARTUP_RUNS=15)`);

  const report = { date: new Date().toISOString(), settings: SETTINGS, node: process.version, cpus, loadAverageAtStart: load1, git: gitRevision(), apis: slugs, modes: {} };
  const verdicts = [];
  const problems = [];
  if (SETTINGS.lifecycle) {
    report.lifecycle = await benchLifecycle();
    verdicts.push(...lifecycleVerdicts(report.lifecycle));
  }
  if (SETTINGS.startup) {
    report.startup = await benchStartup(slugs);
    verdicts.push(...startupVerdicts(report.startup));
  }
  for (const mode of SETTINGS.throughput ? MODES : []) {
    console.log(`\n== throughput, ${mode.title}: ${SETTINGS.connections} connections, ${SETTINGS.warmup} s warm-up + ${SETTINGS.duration} s per route${roundsNote}, servers one at a time ==`);
    const rounds = Object.fromEntries(SERVERS.map((server) => [server.name, []]));
    const plain = mode.silent ? await startPlainHttp() : undefined;
    for (let round = 0; round < SETTINGS.rounds; round++) {
      // Alternate who goes first, so a drift in background load does not always favour one side.
      const order = round % 2 === 0 ? SERVERS : [...SERVERS].reverse();
      for (const server of order) {
        const label = SETTINGS.rounds > 1 ? `${server.name}#${round + 1}` : server.name;
        const merged = { routes: {}, logBytes: 0 };
        for (const slug of slugs) {
          const result = await benchServer(server, mode, label, slug, plain);
          for (const [route, run] of Object.entries(result.routes)) run.problems.forEach((p) => problems.push(`${mode.name} / ${label} / ${route}: ${p}`));
          Object.assign(merged.routes, result.routes);
          merged.logBytes += result.logBytes;
        }
        rounds[server.name].push(merged);
      }
    }
    await plain?.stop();
    const results = Object.fromEntries(Object.entries(rounds).map(([name, runs]) => [name, bestOf(runs)]));
    const comparison = compare(mode, results.ours, results.prism);
    printTable(mode, comparison, results.ours, results.prism);
    verdicts.push(verdictLine(mode, comparison));
    report.modes[mode.name] = { title: mode.title, target: mode.target, ...comparison, ours: results.ours, prism: results.prism };
    if (mode.silent) {
      report.plainHttp = getsVsPlain(results.ours);
      console.log(`\nGETs (silent) beside plain node:http (a fixed JSON body, same load, measured right after each route): ours ${fmt(report.plainHttp.oursReqPerSec, 0)} req/s, node:http ${fmt(report.plainHttp.plainReqPerSec, 0)} req/s, ${fmt(100 * report.plainHttp.share, 0)}%`);
      verdicts.push(plainHttpVerdict(report.plainHttp));
    }
  }

  report.problems = problems;
  report.verdicts = verdicts;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);

  console.log('');
  verdicts.forEach((line) => console.log(line));
  console.log(`results: ${relative(process.cwd(), join(RESULTS_DIR, 'latest.json'))}`);
  if (problems.length > 0) {
    console.error(`\nERROR: some runs did not get only the expected 2xx answers; their figures are meaningless:`);
    problems.forEach((p) => console.error(`  - ${p}`));
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench-vs-prism: ${error instanceof Error ? error.stack : String(error)}`);
  killChildren();
  process.exit(1);
});
