#!/usr/bin/env node
// Start-up as a test file sees it: a fresh node process imports the mock server, builds it with
// createMockServer(), serves it on a free port and gets its first answer. Timed inside the process
// (node's own boot is not the mock's cost). Run by bench-vs-prism.mjs; prints one JSON line.
//
//   node bench/startup-in-process.mjs <dist/index.js URL> '[{"slug","method","path","headers","body"?,"status"}, ...]'
//
// Requests go out with node:http, already loaded by the server: the first fetch() would load
// undici, a client-side cost of ~20 ms that is not the mock's.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import process from 'node:process';

const started = performance.now();
const cpuAtStart = process.cpuUsage();
const [moduleUrl, requestsJson] = process.argv.slice(2);
const requests = JSON.parse(requestsJson);

const { createMockServer, serve } = await import(moduleUrl);
const imported = performance.now();
const mock = createMockServer();
const created = performance.now();
const running = await serve(mock, { port: 0 });
const listening = performance.now();

function ask({ slug, method, path, headers, body, status }) {
  return new Promise((resolve, reject) => {
    const request = http.request(`${running.baseUrl(slug)}${path}`, { method, headers, agent: false }, (response) => {
      response.resume();
      response.once('end', () => (response.statusCode === status ? resolve() : reject(new Error(`${method} ${slug}${path} answered ${response.statusCode}, expected ${status}`))));
    });
    request.once('error', reject);
    request.end(body);
  });
}

await ask(requests[0]);
const firstAnswer = performance.now();
const cpu = process.cpuUsage(cpuAtStart);
for (const request of requests.slice(1)) await ask(request);
const all = performance.now();
const cpuAll = process.cpuUsage(cpuAtStart);
await running.close();

console.log(JSON.stringify({
  importMs: imported - started,
  createMs: created - imported,
  serveMs: listening - created,
  firstAnswerMs: firstAnswer - listening,
  firstMs: firstAnswer - started,
  allMs: all - started,
  cpuMs: (cpu.user + cpu.system) / 1000,
  // CPU to every API answered: the goal's measure, steadier than wall time on a shared machine.
  cpuAllMs: (cpuAll.user + cpuAll.system) / 1000,
}));
