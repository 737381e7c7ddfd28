#!/usr/bin/env node
// Render time and file size of the shared placeholder images, per format and typical size. Run with
// `pnpm bench:images` from apps/mock-server once dist/ is built (`pnpm build`). Each size and format is
// rendered once unmeasured, then up to RUNS times within BUDGET_MS; the median is reported, as CPU
// time of the process (user + system), which other load on a shared machine barely moves, unlike wall
// time. Rendering is synchronous work on one thread, so on an idle machine the two agree.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MODULE = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'core', 'images', 'placeholder-image.js');
if (!existsSync(MODULE)) {
  console.error(`${MODULE} is missing: run \`pnpm build\` first`);
  process.exit(1);
}
const { placeholderLabel, renderPlaceholderImage } = await import(pathToFileURL(MODULE).href);

const RUNS = 5;
const BUDGET_MS = 10_000;
const SIZES = [
  [256, 256],
  [1024, 1024],
  [2048, 1152],
  [2048, 2048],
  [4096, 2304],
  [4096, 4096],
  [8192, 2048],
];

console.log(`median CPU ms of ${RUNS} renders (after a warm-up render); node ${process.version}`);
console.log('| size | PNG CPU ms | PNG KiB | JPEG CPU ms | JPEG KiB |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [width, height] of SIZES) {
  const cells = [];
  for (const format of ['png', 'jpeg']) {
    const request = {
      format,
      width,
      height,
      seed: `bench ${width}x${height}`,
      label: placeholderLabel({ api: 'LumixAI', model: 'imagen-nano-banana-2-flash', width, height, prompt: 'premium product render on glass, studio lighting', id: 'seed:7' }),
    };
    const bytes = await renderPlaceholderImage(request);
    const times = [];
    const started = performance.now();
    while (times.length < RUNS && performance.now() - started < BUDGET_MS) {
      const before = process.cpuUsage();
      await renderPlaceholderImage(request);
      const spent = process.cpuUsage(before);
      times.push((spent.user + spent.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cells.push(times[Math.floor(times.length / 2)].toFixed(1), (bytes.length / 1024).toFixed(1));
  }
  console.log(`| ${width}x${height} | ${cells.join(' | ')} |`);
}

