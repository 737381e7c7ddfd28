#!/usr/bin/env node
// Proxy throughput: `imagegen-mock proxy` and `prism proxy`, each in front of the same upstream (our
// mock, LumixAI), on the same spec, routes and load. Both check requests and answers against the
// spec; the upstream's own cost is the same for both, so the ratio is the proxies' difference.
//
//   node bench/bench-proxy.mjs        (the last part of `pnpm bench`; `pnpm bench:proxy` runs it alone)
//
// Settings (environment): BENCH_PROXY_DURATION seconds per route (default 5, 1-60),
// BENCH_CONNECTIONS concurrent connections (default 10, 1-500). Servers bind 127.0.0.1 only.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import autocannon from 'autocannon';

import { freePort as freePortOn } from './free-port.mjs';
import { intFromEnv } from './bench-settings.mjs';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUR_CLI = join(PKG_DIR, 'dist', 'cli.js');
const PRISM_BIN = join(PKG_DIR, 'node_modules', '.bin', 'prism');
const SPEC = createRequire(import.meta.url).resolve('@imagegen/spec/lumixai/openapi.yaml');
const HOST = '127.0.0.1';
const KEY = 'air_live_mock_dev';

const DURATION = intFromEnv('BENCH_PROXY_DURATION', 5, 1, 60);
const CONNECTIONS = intFromEnv('BENCH_CONNECTIONS', 10, 1, 500);

const children = new Set();
const killAll = () => {
  for (const child of children) child.kill('SIGKILL');
};
process.on('exit', killAll);
process.on('SIGINT', () => process.exit(130));

const freePort = () => freePortOn(HOST);

/** Spawns a server (output drained, never read) and waits until `readyUrl` answers 200. */
async function start(name, file, args, readyUrl) {
  const child = spawn(file, args, { cwd: PKG_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let tail = '';
  const drain = (chunk) => (tail = (tail + chunk.toString()).slice(-2048));
  child.stdout.on('data', drain);
  child.stderr.on('data', drain);
  let exited;
  child.once('exit', (code) => (exited = code ?? 'signal'));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${name} exited during start-up (${exited}):\n${tail}`);
    try {
      if ((await fetch(readyUrl, { headers: { 'X-API-Key': KEY } })).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return {
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
      children.delete(child);
    },
  };
}

function load(url, route) {
  return Promise.resolve(autocannon({ url, method: route.method, headers: route.headers, body: route.body, connections: CONNECTIONS, duration: DURATION }));
}

async function measure(base, route) {
  const url = `${base}${route.path}`;
  await load(url, { ...route }); // warm-up, discarded
  const result = await load(url, route);
  const statuses = Object.keys(result.statusCodeStats).map(Number);
  if (result.errors > 0 || statuses.some((status) => status !== route.status)) {
    throw new Error(`${url}: expected only ${route.status}, got ${JSON.stringify(result.statusCodeStats)} and ${result.errors} errors`);
  }
  return { reqPerSec: result.requests.average, p99: result.latency.p99 };
}

async function main() {
  const upstreamPort = await freePort();
  const upstream = await start('upstream mock', process.execPath, [OUR_CLI, '--port', String(upstreamPort), '--host', HOST, '--timing', 'instant', '--quiet'], `http://${HOST}:${upstreamPort}/lumixai/api/backend/v1/models`);
  const upstreamBase = `http://${HOST}:${upstreamPort}/lumixai/api/backend`;
  const created = await (await fetch(`${upstreamBase}/v1/images/jobs`, { method: 'POST', headers: { 'X-API-Key': KEY, 'Content-Type': 'application/json' }, body: JSON.stringify({ model: 'flux-kontext', prompt: 'a lighthouse', aspectRatio: '1:1', resolution: '1k' }) })).json();
  const routes = [
    { name: 'GET /v1/models', method: 'GET', path: '/v1/models', status: 200 },
    { name: 'GET /v1/images/jobs/{id}', method: 'GET', path: `/v1/images/jobs/${created.id}`, headers: { 'X-API-Key': KEY }, status: 200 },
  ];
  const ourPort = await freePort();
  const prismPort = await freePort();
  const servers = [
    {
      name: 'ours',
      base: `http://${HOST}:${ourPort}/lumixai/api/backend`,
      start: () => start('imagegen-mock proxy', process.execPath, [OUR_CLI, 'proxy', '--upstream', `lumixai=http://${HOST}:${upstreamPort}/lumixai`, '--port', String(ourPort), '--host', HOST, '--quiet', '--drift-file', '/dev/null'], `http://${HOST}:${ourPort}/lumixai/api/backend/v1/models`),
    },
    {
      name: 'prism',
      base: `http://${HOST}:${prismPort}`,
      start: () => start('prism proxy', PRISM_BIN, ['proxy', SPEC, upstreamBase, '--port', String(prismPort), '--host', HOST, '--errors', '--verboseLevel', 'silent'], `http://${HOST}:${prismPort}/v1/models`),
    },
  ];
  const results = {};
  try {
    for (const server of servers) {
      const running = await server.start();
      try {
        results[server.name] = {};
        for (const route of routes) results[server.name][route.name] = await measure(server.base, route);
      } finally {
        await running.stop();
      }
    }
  } finally {
    await upstream.stop();
  }
  console.log(`\nProxy throughput over the mock (LumixAI, ${CONNECTIONS} connections, ${DURATION} s per route after a warm-up; both validate both directions)`);
  console.log(['route', 'ours req/s', 'ours p99', 'prism proxy req/s', 'prism p99', 'ratio'].join(' | '));
  for (const route of routes) {
    const ours = results.ours[route.name];
    const prism = results.prism[route.name];
    console.log([route.name, ours.reqPerSec.toFixed(0), `${ours.p99} ms`, prism.reqPerSec.toFixed(0), `${prism.p99} ms`, `${(ours.reqPerSec / prism.reqPerSec).toFixed(2)}x`].join(' | '));
  }
}

main().catch((error) => {
  console.error(`bench-proxy: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
