import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SystemClock, imageSize } from '../../../src/index.js';
import { curlExamples } from '../../doc-examples.js';
import { DEV_KEY, startMock } from '../../harness.js';

const run = promisify(execFile);
const docsCopy = createRequire(import.meta.url).resolve('@imagegen/spec/lumixai/source/lumixai-image-api.txt');
const DOCUMENTED_BASE = '/api/backend';
/** The docs' placeholder for inline reference data; like the key, the user fills it in. */
const REFERENCE_PLACEHOLDER = '$REFERENCE_IMAGE_BASE64';
const TINY_PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** The "Node implementation loop" program, from its first statement to the file write. */
function nodeExample(text: string): string {
  const start = text.indexOf('const createJob = await fetch(');
  const endMarker = 'fs.writeFile("lumixai-result.png", file));';
  const end = text.indexOf(endMarker, start);
  if (start === -1 || end === -1) throw new Error('Node example not found in the docs copy');
  return text.slice(start, end + endMarker.length);
}

describe('the LumixAI documentation examples run unchanged against the mock (base URL and key aside)', async () => {
  const docs = await readFile(docsCopy, 'utf8');
  const examples = curlExamples(docs);
  let h: Awaited<ReturnType<typeof startMock>>;
  let workDir: string;
  let jobId: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lumixai-docs-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('finds the documented examples', () => {
    // Quickstart, four endpoints, Nano Banana Pro, inline reference, models list.
    expect(examples.length).toBeGreaterThanOrEqual(7);
    expect(examples.some((c) => c.includes('$JOB_ID/download'))).toBe(true);
  });

  it.each(examples.map((command) => [`${command.split('\n')[0]!.replace(/\s+\\$/, '')} ${/"model": "([^"]+)"/.exec(command)?.[1] ?? ''}`, command]))('%s', async (_title, command) => {
    h = await startMock();
    const created = await h.call('/v1/images/jobs', { json: { model: 'imagen-nano-banana-2-flash', prompt: 'docs example' } });
    jobId = ((await created.json()) as { id: string }).id;
    const runnable = command.replaceAll(DOCUMENTED_BASE, h.base).replaceAll(REFERENCE_PLACEHOLDER, TINY_PNG_BASE64);
    const { stdout } = await run('bash', ['-c', `${runnable} --silent --show-error --write-out '\\nHTTP_STATUS=%{http_code}'`], {
      cwd: workDir,
      env: { ...process.env, LUMIXAI_API_KEY: DEV_KEY, JOB_ID: jobId },
    });
    const status = Number(/HTTP_STATUS=(\d+)$/.exec(stdout)?.[1]);
    expect([200, 202], stdout).toContain(status);
    if (command.includes('-o lumixai-result.png')) {
      expect(imageSize(await readFile(join(workDir, 'lumixai-result.png'))).format).toBe('png');
    }
  });

  it('Node implementation loop: create, poll every two seconds, download', async () => {
    // The program really sleeps two seconds between polls, so the server runs on real time.
    h = await startMock({ clock: new SystemClock() });
    const program = nodeExample(docs).replaceAll(`"${DOCUMENTED_BASE}`, `"${h.base}`).replaceAll(`\`${DOCUMENTED_BASE}`, `\`${h.base}`);
    const file = join(workDir, 'node-example.mjs');
    await writeFile(file, program);
    await run(process.execPath, [file], { cwd: workDir, env: { ...process.env, LUMIXAI_API_KEY: DEV_KEY }, timeout: 20_000 });
    const png = await readFile(join(workDir, 'lumixai-result.png'));
    expect(imageSize(png)).toEqual({ format: 'png', width: 2048, height: 1152 });
  });
});
