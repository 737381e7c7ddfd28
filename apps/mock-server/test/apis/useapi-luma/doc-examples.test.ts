// The Generate Images page's own curl, JavaScript and Python examples, run against the mock with
// only the base URL and the token changed. The page copy lost the examples' line breaks, so the
// files in fixtures/useapi-luma/ give them back (see its README); each is checked word for word
// against the page copy before it runs.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SystemClock, imageSize } from '../../../src/index.js';
import { JOB_ID, TOKENS, startUseapiMock } from './helpers.js';

const run = promisify(execFile);
const pageCopy = createRequire(import.meta.url).resolve('@imagegen/spec/useapi-luma/source/useapi-luma-images-api.txt');
const fixture = (name: string) => new URL(`../../fixtures/useapi-luma/${name}`, import.meta.url);
const DOCUMENTED_BASE = 'https://api.useapi.net/v1/luma';
const DOCUMENTED_TOKEN = 'YOUR_API_TOKEN';

/** The examples in the page copy: each from its first words to its last. */
const EXAMPLES = [
  { file: 'page-example.sh', first: 'curl -X POST', last: '"https://api.useapi.net/v1/luma/images"' },
  { file: 'page-example.mjs', first: "const token = 'YOUR_API_TOKEN'", last: 'const images = await Promise.all(result.jobids.map(pollJob))' },
  { file: 'page-example.py', first: 'import requests', last: 'time.sleep(5)' },
];

const collapse = (text: string) => text.replace(/\\\n/g, '\\ ').replace(/\s+/g, ' ').trim();

/**
 * How to run the page's Python example: `python3` with the real `requests` where it has it, else
 * with the stand-in from fixtures/python-requests-stand-in on PYTHONPATH (pnpm puts Node's own
 * folder first on PATH, so the python3 found may be the system's, without third-party packages,
 * and CI machines cannot install them from PyPI).
 */
async function pythonForRequests(): Promise<{ env: NodeJS.ProcessEnv }> {
  try {
    await run('python3', ['-c', 'import requests']);
    return { env: process.env };
  } catch {
    const standIn = fileURLToPath(new URL('../../fixtures/python-requests-stand-in', import.meta.url));
    return { env: { ...process.env, PYTHONPATH: [standIn, process.env.PYTHONPATH].filter(Boolean).join(delimiter) } };
  }
}

describe("the Generate Images page's examples run unchanged against the mock (base URL and token aside)", () => {
  let workDir: string;
  const python = pythonForRequests();

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'useapi-luma-docs-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** The example with the mock's base URL and the dev token in place of the documented ones. */
  async function runnable(file: string, base: string): Promise<string> {
    return (await readFile(fixture(file), 'utf8')).replaceAll(DOCUMENTED_BASE, base).replaceAll(DOCUMENTED_TOKEN, TOKENS.dev);
  }

  /** Every `Image URL: ...` the program printed must be a 1920x1080 JPEG the mock serves publicly. */
  async function expectFourImages(stdout: string): Promise<void> {
    const urls = [...stdout.matchAll(/Image URL: (\S+)/g)].map((match) => match[1]!);
    expect(urls, stdout).toHaveLength(4);
    for (const url of urls) {
      expect(imageSize(Buffer.from(await (await fetch(url)).arrayBuffer()))).toEqual({ format: 'jpeg', width: 1920, height: 1080 });
    }
  }

  it.each(EXAMPLES)('$file is the page copy word for word, its layout given back', async ({ file, first, last }) => {
    const page = collapse(await readFile(pageCopy, 'utf8'));
    const start = page.indexOf(first);
    const end = page.indexOf(last, start);
    expect(start, `${first} in the page copy`).toBeGreaterThanOrEqual(0);
    expect(end, `${last} in the page copy`).toBeGreaterThan(start);
    expect(collapse(await readFile(fixture(file), 'utf8'))).toBe(page.slice(start, end + last.length));
  });

  it('curl: creates a batch of four', async () => {
    const h = await startUseapiMock();
    const { stdout } = await run('bash', ['-c', `${(await runnable('page-example.sh', h.api)).trimEnd()} --silent --show-error --write-out '\\nHTTP_STATUS=%{http_code}'`]);
    expect(Number(/HTTP_STATUS=(\d+)$/.exec(stdout)?.[1]), stdout).toBe(200);
    const created = JSON.parse(stdout.slice(0, stdout.lastIndexOf('\n'))) as { jobid: string; jobids: string[]; request: unknown };
    expect(created.jobids).toHaveLength(4);
    for (const id of [created.jobid, ...created.jobids]) expect(id).toMatch(JOB_ID);
  });

  it.each([
    ['images done by the first poll', 'instant' as const, 1],
    ['images generating at the first poll: the 5 s loop runs', { queuedMs: 500, runningMs: 2500 }, 2],
  ])('JavaScript, polling `${jobid}` unencoded, %s', async (_title, timing, pollsPerImage) => {
    // The program sleeps 5 real seconds between polls, so the server runs on real time.
    const requests: string[] = [];
    const h = await startUseapiMock({ clock: new SystemClock(), timing, log: (line) => requests.push(line) });
    const file = join(workDir, `page-example-${pollsPerImage}.mjs`);
    await writeFile(file, await runnable('page-example.mjs', h.api));
    const { stdout } = await run(process.execPath, [file], { cwd: workDir, timeout: 20_000 });
    expect(stdout).toMatch(/^Batch created: j\d+i-u12345-email:user@example\.com:/);
    await expectFourImages(stdout);
    // Every poll reached the mock with the id raw in the path, `:` and `@` included, and succeeded.
    const jobids = JSON.parse(/Image jobs: (\[[^\]]*\])/.exec(stdout)![1]!.replaceAll("'", '"')) as string[];
    for (const jobid of jobids) {
      const polls = requests.filter((line) => line.startsWith(`GET /useapi-luma/v1/luma/jobs/${jobid} 200 `));
      expect(polls, jobid).toHaveLength(pollsPerImage);
    }
  });

  it('Python (requests, or its stand-in where python3 lacks it)', async () => {
    const { env } = await python;
    const h = await startUseapiMock({ clock: new SystemClock(), timing: 'instant' });
    const file = join(workDir, 'page-example.py');
    await writeFile(file, await runnable('page-example.py', h.api));
    const { stdout } = await run('python3', [file], { cwd: workDir, env, timeout: 20_000 });
    expect(stdout.match(/: completed$/gm)).toHaveLength(4);
    await expectFourImages(stdout);
  });
});
