// Issue 15 row 3: 24 MB prompts were read whole, parsed and kept. A JSON prompt certainly over its
// maxLength (documented, or inferred and marked x-inferred) is refused while it arrives: the rest
// is read off and dropped, never held. Measured as what the process holds (heap and Buffers) while
// the body streams in, sampled after a forced collection every megabyte, for every API with a
// JSON prompt. Bounded: one 24 MB body per API.
import { request } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { describe, expect, it } from 'vitest';

import { APIS, deref, listOperations, loadSpec } from '../src/index.js';
import { startMock } from './harness.js';
import { credentials, exampleBodies, headersOf, pathOf } from './spec-requests.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const HUGE = 24 * MB;
/** The body goes out in slices of one reused buffer, so the sender holds nothing of its own. */
const SLICE = Buffer.alloc(256 * 1024, 'x');

/** What the process holds after a collection: the heap (strings) and Buffers (chunks). */
function liveBytes(): number {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** The first JSON body of `slug` with a prompt that has a maxLength, if any. */
function jsonPromptOperation(slug: string) {
  const doc = loadSpec(slug);
  for (const operation of listOperations(doc)) {
    const schema = operation.requestSchemas['application/json'];
    const prompt = schema === undefined ? undefined : deref<{ properties?: Record<string, unknown> }>(doc, schema).properties?.prompt;
    const maxLength = prompt === undefined ? undefined : deref<{ maxLength?: number }>(doc, prompt).maxLength;
    if (maxLength !== undefined) return { doc, operation, maxLength, example: exampleBodies(doc, operation, 'application/json')[0] as Record<string, unknown> };
  }
  return undefined;
}

const cases = APIS.map((api) => ({ slug: api.slug, key: api.devKeys[0]!.key, found: jsonPromptOperation(api.slug) })).filter((entry) => entry.found !== undefined);

describe.each(cases)('$slug: a 24 MB JSON prompt', ({ slug, key, found }) => {
  it('is refused while it arrives: the mock never holds the body', { timeout: 60_000 }, async () => {
    const { doc, operation, maxLength, example } = found!;
    const h = await startMock();
    const auth = credentials(operation, key);
    const target = new URL(`${h.running.baseUrl(slug)}${pathOf(doc, operation)}${auth.query}`);
    // The example with its prompt last, so the body ends in the 24 MB string.
    const { prompt: _prompt, ...rest } = example;
    const head = Buffer.from(`${JSON.stringify(rest).slice(0, -1)}${Object.keys(rest).length > 0 ? ',' : ''}"prompt":"`);
    const tail = Buffer.from('"}');
    const length = head.length + HUGE + tail.length;

    const baseline = liveBytes();
    let peak = 0;
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(target, { method: 'POST', agent: false, headers: { ...headersOf(doc, operation), ...auth.headers, 'Content-Type': 'application/json', 'Content-Length': String(length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      void (async () => {
        req.write(head);
        for (let sent = 0; sent < HUGE; sent += SLICE.length) {
          if (!req.write(SLICE)) await new Promise((resume) => req.once('drain', resume));
          if ((sent + SLICE.length) % MB === 0) {
            // Let the mock read what has arrived, then see what it holds.
            await new Promise((resume) => setTimeout(resume, 1));
            peak = Math.max(peak, liveBytes() - baseline);
          }
        }
        req.end(tail);
      })().catch(reject);
    });
    console.log(`${slug}: 24 MB JSON prompt answered ${answer.status}; at most ${(peak / MB).toFixed(1)} MB live while it arrived`);
    expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.text).toBeLessThan(500);
    expect(answer.text).toMatch(new RegExp(`prompt.*${maxLength}`, 's'));
    // Held whole, the body is 24 MB of chunks before it is even parsed.
    expect(peak / MB, 'MB live while the body arrived').toBeLessThan(8);
  });
});
