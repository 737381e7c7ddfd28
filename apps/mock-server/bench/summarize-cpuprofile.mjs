#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `BENCH_PROFILE=1 pnpm bench`) as text:
// where the time goes by package, the hottest functions by self time, and the functions of our own
// code by inclusive time (what they cost with everything they call).
//
//   node bench/summarize-cpuprofile.mjs <file.cpuprofile> [top=25] [skip-seconds=0]
//
// skip-seconds leaves out the start of the profile: start-up (spec parsing) and the validator's
// lazy schema compilation on the first requests would otherwise blur the steady state.

import { readFileSync } from 'node:fs';
import process from 'node:process';

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/summarize-cpuprofile.mjs <file.cpuprofile> [top=25] [skip-seconds=0]');
  process.exit(2);
}
const TOP = Number(topArg ?? 25);
const SKIP_US = Number(skipArg ?? 0) * 1e6;
const profile = JSON.parse(readFileSync(file, 'utf8'));

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

/** `express-openapi-validator`, `node:internal`, `ours` ... : where a frame's code lives. */
function packageOf(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node internals';
  const match = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/);
  if (match) return match[1];
  if (url.includes('/apps/mock-server/')) return 'ours (apps/mock-server)';
  return url.replace(/^file:\/\//, '');
}

function frameKey(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\//, '').replace(/^.*\/apps\/mock-server\//, '')}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

// Sample i lasted timeDeltas[i + 1] (the gap to the next sample); the last one gets the mean.
const deltas = profile.timeDeltas;
const meanDelta = (profile.endTime - profile.startTime) / profile.samples.length;
const sampleUs = (i) => (i + 1 < deltas.length ? deltas[i + 1] : meanDelta);

const self = new Map();
const byPackage = new Map();
const inclusive = new Map();
let totalUs = 0;
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);

let elapsedUs = 0;
profile.samples.forEach((id, i) => {
  elapsedUs += deltas[i];
  if (elapsedUs < SKIP_US) return;
  const us = Math.max(0, sampleUs(i));
  totalUs += us;
  const leaf = byId.get(id);
  add(self, frameKey(leaf), us);
  add(byPackage, ['(idle)', '(program)', '(garbage collector)'].includes(leaf.callFrame.functionName) ? leaf.callFrame.functionName : packageOf(leaf.callFrame.url), us);
  // Each function counts once per sample, however deep the recursion.
  const seen = new Set();
  for (let node = leaf; node; node = byId.get(parentOf.get(node.id))) {
    if (!node.callFrame.url.includes('/apps/mock-server/')) continue;
    const key = frameKey(node);
    if (seen.has(key)) continue;
    seen.add(key);
    add(inclusive, key, us);
  }
});

const busyUs = totalUs - (byPackage.get('(idle)') ?? 0);
const pct = (us) => `${((100 * us) / busyUs).toFixed(1).padStart(5)}%`;
const print = (title, map, n) => {
  console.log(`\n${title}`);
  [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([key, us]) => console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${key}`));
};

console.log(`${file}: ${SKIP_US ? `first ${SKIP_US / 1e6} s skipped, ` : ''}${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy (percentages are of busy time)`);
print('self time by package', new Map([...byPackage].filter(([key]) => key !== '(idle)')), TOP);
print(`top ${TOP} functions by self time`, new Map([...self].filter(([key]) => !key.startsWith('(idle)'))), TOP);
print(`top ${TOP} functions of our code by inclusive time`, inclusive, TOP);
