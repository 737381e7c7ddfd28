// The built package (dist/index.js, dist/cli.js) is one bundle with its dependencies inside
// (scripts/bundle.mjs), because loading them file by file was half of the mock's start-up. What
// must hold: it serves and validates like the sources do, it loads none of the bundled packages
// from node_modules (the validator patches reach the bundled copies, not installed ones), and its
// stack traces map back to src/. It is loaded through src/bundle-loader.ts, which keeps V8's compiled
// code of it in a private folder of the temp folder: what must hold there is that a run writes it, the
// next uses it, a damaged or unusable one is never trusted, and the switches that turn it off do.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import * as sources from '../src/index.js';

const run = promisify(execFile);
const entry = new URL('../dist/index.js', import.meta.url).href;

/** Runs an ES module in a fresh node that imports the built entry as `mock`; returns what it printed as JSON. */
async function inFreshNode<T>(body: string, flags: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  const script = `import * as mock from ${JSON.stringify(entry)};\nimport { createRequire } from 'node:module';\n${body}`;
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script], { timeout: 30_000, cwd: fileURLToPath(new URL('..', import.meta.url)), env });
  return JSON.parse(stdout) as T;
}

/** Serves on the sources or the bundle, and answers GETs: run as written in a fresh node on the bundle, and here on the sources. */
async function answers(module: typeof sources): Promise<unknown[]> {
  const running = await module.serve(module.createMockServer(), { port: 0 });
  const base = running.baseUrl('lumixai');
  const headers = { 'x-api-key': 'air_live_mock_dev' };
  const create = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt: 'a lighthouse' }) };
  const { id } = (await (await fetch(`${base}/v1/images/jobs`, create)).json()) as { id: string };
  const seen: unknown[] = [];
  for (const path of ['/v1/images/jobs/%ZZ', `/v1/images/jobs/${id}`, `/v1/images/jobs/${id}?x=1`, '/v1/images/jobs/not-a-uuid']) {
    const response = await fetch(base + path, { headers });
    const text = (await response.text()).replaceAll(id, '{id}').replace(/"(created|completed)":\d+/g, '"$1":0');
    seen.push({ path: path.replace(id, '{id}'), status: response.status, body: JSON.parse(text) as unknown });
  }
  await running.close();
  return seen;
}

interface BundleRun {
  names: string[];
  models: number;
  invalid: { status: number; body: { error?: { type?: string; message?: string } } };
  answers: unknown[];
  loaded: string[];
}

let bundleRun: Promise<BundleRun> | undefined;
/**
 * One fresh node for the checks that need the built entry as a user imports it (a node start and
 * the bundle's load each, before): its exports, a POST and the GETs, then which files it loaded
 * from node_modules, after all of them. Each test asserts its part.
 */
const inBundle = () =>
  (bundleRun ??= inFreshNode<BundleRun>(`
    const names = Object.keys(mock);
    const running = await mock.serve(mock.createMockServer(), { port: 0 });
    const base = running.baseUrl('lumixai');
    const models = (await fetch(base + '/v1/models')).status;
    const response = await fetch(base + '/v1/images/jobs', { method: 'POST', headers: { 'x-api-key': 'air_live_mock_dev', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash' }) });
    const invalid = { status: response.status, body: await response.json() };
    await running.close();
    const answers = await (${answers.toString()})(mock);
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('node_modules'));
    console.log(JSON.stringify({ names, models, invalid, answers, loaded }));
  `));

describe('the bundled build', () => {
  it('validates requests and answers like the sources, loading no bundled package from node_modules', async () => {
    const result = await inBundle();
    expect(result.models).toBe(200);
    expect(result.invalid.status).toBe(400);
    expect(result.invalid.body.error?.type).toBe('validation_error');
    expect(result.invalid.body.error?.message).toMatch(/prompt/);
    expect(result.loaded, 'modules the bundle should carry were loaded from node_modules').toEqual([]);
  });

  it('answers GETs like the sources: a path parameter that is not valid percent-encoding, a job poll, a query, a bad id', async () => {
    const bundled = (await inBundle()).answers;
    expect(bundled[0], 'the malformed escape is refused as a validation error').toMatchObject({ status: 400 });
    expect(bundled[1]).toMatchObject({ status: 200, body: { id: '{id}' } });
    expect(bundled).toEqual(await answers(sources));
  });

  it("maps a stack trace from inside the bundle to the module's source in src/", async () => {
    const { stack } = await inFreshNode<{ stack: string }>(
      `
      let stack = '';
      try { mock.createMockServer({ bodyLimit: 'lots' }); } catch (error) { stack = error.stack; }
      console.log(JSON.stringify({ stack }));
    `,
      ['--enable-source-maps'],
    );
    expect(stack).toMatch(/bodyLimit must look like '25mb'/);
    expect(stack).toMatch(/src\/core\/pipeline\/body\.ts:\d+/);
  });
});

describe("the bundle's compile cache", () => {
  let temp: string;
  beforeEach(() => {
    temp = mkdtempSync(join(tmpdir(), 'imagegen-bundle-cache-test-'));
  });
  afterEach(() => rmSync(temp, { recursive: true, force: true }));

  /** A fresh node with `temp` as its temp folder that serves and asks one API; returns the status. */
  async function answerOnce(env: NodeJS.ProcessEnv = {}, flags: string[] = []): Promise<number> {
    const { status } = await inFreshNode<{ status: number }>(
      `
      const running = await mock.serve(mock.createMockServer(), { port: 0 });
      const status = (await fetch(running.baseUrl('lumixai') + '/v1/models')).status;
      await running.close();
      console.log(JSON.stringify({ status }));
    `,
      flags,
      { ...process.env, TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: undefined, ...env },
    );
    return status;
  }
  const uid = process.getuid?.();
  const cacheDir = () => join(temp, `imagegen-mock-compile-cache${uid === undefined ? '' : `-${uid}`}`);
  const cacheFiles = () => readdirSync(cacheDir()).filter((name) => name.endsWith('.v8cache'));

  it('a run writes the compiled code to a folder only the user can read, and the next run uses it without rewriting it', async () => {
    expect(await answerOnce()).toBe(200);
    const [file, ...others] = cacheFiles();
    expect(others).toEqual([]);
    const path = join(cacheDir(), file!);
    if (uid !== undefined) {
      expect(statSync(cacheDir()).mode & 0o777).toBe(0o700);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    }
    expect(statSync(path).size).toBeGreaterThan(100_000);
    const written = statSync(path).mtimeMs;

    expect(await answerOnce()).toBe(200);
    expect(cacheFiles()).toEqual([file]);
    expect(statSync(path).mtimeMs, 'an accepted cache is not written again').toBe(written);
    expect(readdirSync(cacheDir()).filter((name) => name.endsWith('.tmp')), 'no partial files left behind').toEqual([]);
  });

  /**
   * A probe for `--require`: counts the `process.nextTick` calls made from bundle-loader.js, and
   * prints the count to stderr before the first thing the process prints (the CLI's banner, once it
   * listens: long after the bundle is loaded).
   */
  function nextTickProbe(): string {
    const probe = join(temp, 'count-loader-ticks.cjs');
    writeFileSync(
      probe,
      `const original = process.nextTick;
      globalThis.loaderTicks = 0;
      process.nextTick = function (...args) { if (/bundle-loader/.test(new Error().stack)) globalThis.loaderTicks++; return original.apply(this, args); };
      const write = process.stdout.write;
      process.stdout.write = function (...args) {
        process.stdout.write = write;
        process._rawDebug('loader ticks ' + globalThis.loaderTicks);
        return write.apply(this, args);
      };`,
    );
    return probe;
  }

  /** The CLI with `temp` as its temp folder, until it listens, then stopped: the nextTick calls its loader made. */
  async function cliLoaderTicks(probe: string): Promise<number> {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, ['--require', probe, cli, '--port', '0', '--host', '127.0.0.1', '--quiet'], { env: { ...process.env, TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      // Once: a second SIGTERM would stop the CLI at once.
      if (!/listening on/.test(out) && /listening on/.test((out += chunk.toString()))) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    const ticks = /loader ticks (\d+)/.exec(err);
    if (!ticks) throw new Error(`the CLI did not report its loader's ticks:\n${out}\n${err}`);
    return Number(ticks[1]);
  }

  it("the CLI primes process.nextTick before it runs cached code, the first run and an import do not", async () => {
    const { NEXT_TICK_PRIMING_CALLS } = await import('../src/bundle-loader.js');
    const probe = nextTickProbe();
    expect(await cliLoaderTicks(probe), 'first run: nothing cached yet').toBe(0);
    // Stopped as soon as it listens, the CLI may not have written the cache; an import (which shares it) does.
    expect(await answerOnce()).toBe(200);
    const cached = cacheFiles();
    expect(cached).toHaveLength(1);
    expect(await cliLoaderTicks(probe), `second run, from the cache (${cached.join(', ')}; now ${cacheFiles().join(', ')})`).toBe(NEXT_TICK_PRIMING_CALLS);
    const imported = await inFreshNode<{ ticks: number; status: number }>(
      `
      const running = await mock.serve(mock.createMockServer(), { port: 0 });
      const status = (await fetch(running.baseUrl('lumixai') + '/v1/models')).status;
      await running.close();
      console.log(JSON.stringify({ ticks: globalThis.loaderTicks, status }));
    `,
      ['--require', probe],
      { ...process.env, TMPDIR: temp, NODE_DISABLE_COMPILE_CACHE: undefined },
    );
    expect(imported, 'a library import from the same cache keeps its start-up').toEqual({ ticks: 0, status: 200 });
  });

  it('damaged cached code is refused by V8 and rewritten; the server answers as ever', async () => {
    expect(await answerOnce()).toBe(200);
    const [file] = cacheFiles();
    const path = join(cacheDir(), file!);
    const damaged = Buffer.alloc(statSync(path).size, 0x5a);
    writeFileSync(path, damaged);

    expect(await answerOnce()).toBe(200);
    expect(readFileSync(path).equals(damaged)).toBe(false);
  });

  it.each([
    ['NODE_DISABLE_COMPILE_CACHE=1', { NODE_DISABLE_COMPILE_CACHE: '1' }, []],
    ['--enable-source-maps (the bundle is require()d, so stack traces map)', {}, ['--enable-source-maps']],
  ])('is not used with %s', async (_name, env, flags) => {
    expect(await answerOnce(env, flags)).toBe(200);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('is not used from a folder other users may write to', async () => {
    mkdirSync(cacheDir());
    chmodSync(cacheDir(), 0o777);
    expect(await answerOnce()).toBe(200);
    expect(readdirSync(cacheDir())).toEqual([]);
  });

  it('does not follow a symbolic link put in its place', async () => {
    const elsewhere = join(temp, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, cacheDir());
    expect(await answerOnce()).toBe(200);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it("clears out only its own stale files when it writes one: another build's cache, not a stranger's file", async () => {
    mkdirSync(cacheDir(), { mode: 0o700 });
    const monthAgo = new Date(Date.now() - 30 * 24 * 60 * 60 * 1000);
    const stale = join(cacheDir(), '0123456789abcdef0123456789abcdef.v8cache');
    const recent = join(cacheDir(), 'fedcba9876543210fedcba9876543210.v8cache');
    const stranger = join(cacheDir(), 'notes.txt');
    for (const file of [stale, recent, stranger]) writeFileSync(file, 'x');
    utimesSync(stale, monthAgo, monthAgo);
    utimesSync(stranger, monthAgo, monthAgo);
    expect(await answerOnce()).toBe(200);
    expect([existsSync(stale), existsSync(recent), existsSync(stranger)]).toEqual([false, true, true]);
    expect(cacheFiles()).toHaveLength(2);
  });

  it("removes this install's caches of earlier builds when it writes one, and leaves other installs' recent ones", async () => {
    expect(await answerOnce()).toBe(200);
    const [written] = cacheFiles();
    const install = /^[0-9a-f]{16}-/.exec(written!)?.[0];
    expect(install, `an install prefix in ${written}`).toBeDefined();
    // As if the bundle had been rebuilt since: this install's cache of an earlier build, and no cache of this one.
    const earlierBuild = `${install}${'0'.repeat(32)}.v8cache`;
    const otherInstall = `${'f'.repeat(16)}-${'0'.repeat(32)}.v8cache`;
    renameSync(join(cacheDir(), written!), join(cacheDir(), earlierBuild));
    writeFileSync(join(cacheDir(), otherInstall), 'x');
    expect(await answerOnce()).toBe(200);
    expect(cacheFiles().sort()).toEqual([otherInstall, written].sort());
  });
});

it('the bundled entry exports what src/index.ts exports, and nothing else', async () => {
  const { names } = await inBundle();
  expect(names.sort()).toEqual(Object.keys(sources).sort());
});
