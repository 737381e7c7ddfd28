// Catches a return to encoding placeholders pixel by pixel: downloading a 4096 px image the mock must
// render for its job costs a small multiple of downloading one it already has (same route, same
// size). Measured as CPU time of this process (server and client both live here), which other load
// on a shared machine barely moves, side by side, so the bound is a ratio, never an absolute time.
// Encoding every pixel made the fresh download about 60x (PNG) to 230x (JPEG) the cached one; writing
// runs and repeated blocks makes it about 2x (PNG) and 3x (JPEG).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createMockServer, imageSize, readImageProvenance, serve } from '../src/index.js';
import type { RunningMockServer } from '../src/index.js';

const MAX_RATIO = 10;
const JOBS = 7;

let running: RunningMockServer;

beforeAll(async () => {
  // A LumozAI catalog whose one model makes 4096x2304 JPEGs (the shipped ones stop at 2048).
  const catalog = JSON.parse(readFileSync(new URL('../data/lumozai/models.json', import.meta.url), 'utf8')) as { models: Array<Record<string, unknown>> };
  const model = catalog.models.find((entry) => entry.model_id === 'hidream-l1')!;
  const modelsFile = join(mkdtempSync(join(tmpdir(), 'imagegen-speed-')), 'models.json');
  writeFileSync(modelsFile, JSON.stringify({ models: [{ ...model, output_size: { width: 4096, height: 2304 } }] }));
  running = await serve(createMockServer({ apis: { lumozai: { modelsFile } } }), { port: 0 });
});

afterAll(() => running.close());

/** Each way of getting a 4096x2304 image made for a new job: its URL, ready to download. */
const FORMATS = [
  {
    format: 'png',
    async newImage(i: number): Promise<string> {
      const base = running.baseUrl('lumixai');
      const headers = { 'x-api-key': 'air_live_mock_dev', 'content-type': 'application/json' };
      const body = JSON.stringify({ model: 'flux-kontext', prompt: `speed check ${i}`, aspectRatio: '16:9', resolution: '4k' });
      const job = (await (await fetch(`${base}/v1/images/jobs`, { method: 'POST', headers, body })).json()) as { id: string };
      const done = (await (await fetch(`${base}/v1/images/jobs/${job.id}`, { headers })).json()) as { data: Array<{ download_url: string }> };
      return `${base}${done.data[0]!.download_url}`;
    },
  },
  {
    format: 'jpeg',
    async newImage(i: number): Promise<string> {
      const headers = { authorization: 'Bearer lmz_mock_dev', 'content-type': 'application/x-www-form-urlencoded' };
      const body = new URLSearchParams({ model_id: 'hidream-l1', prompt: `speed check ${i}` }).toString();
      const run = (await (await fetch(`${running.baseUrl('lumozai')}/run`, { method: 'POST', headers, body })).json()) as { data: { output: string } };
      return run.data.output;
    },
  },
] as const;

/** CPU microseconds this process spends downloading `url` once. */
async function cpuOfDownload(url: string, headers: Record<string, string>): Promise<{ us: number; bytes: Buffer }> {
  const before = process.cpuUsage();
  const response = await fetch(url, { headers });
  const bytes = Buffer.from(await response.arrayBuffer());
  const spent = process.cpuUsage(before);
  expect(response.status).toBe(200);
  return { us: spent.user + spent.system, bytes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('a 4096x2304 placeholder rendered for its job', () => {
  it.each(FORMATS)('$format: downloads within 10x the CPU of the same download served from the cache', async ({ format, newImage }) => {
    const headers: Record<string, string> = format === 'png' ? { 'x-api-key': 'air_live_mock_dev' } : {};
    const urls = [];
    for (let i = 0; i < JOBS + 1; i++) urls.push(await newImage(i));
    const first = await cpuOfDownload(urls[0]!, headers); // warms the route and renders the cached one
    expect(imageSize(first.bytes)).toEqual({ format, width: 4096, height: 2304 });
    const fresh: number[] = [];
    const cached: number[] = [];
    for (let i = 1; i <= JOBS; i++) {
      // Alternating, so a change in background load reaches both sides alike.
      const made = await cpuOfDownload(urls[i]!, headers);
      expect(readImageProvenance(made.bytes)?.prompt).toBe(`speed check ${i}`);
      fresh.push(made.us);
      cached.push((await cpuOfDownload(urls[0]!, headers)).us);
    }
    const ratio = median(fresh) / median(cached);
    expect(ratio, `fresh ${median(fresh)} µs vs cached ${median(cached)} µs CPU per download`).toBeLessThan(MAX_RATIO);
  });
});
