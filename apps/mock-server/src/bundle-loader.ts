// Loads dist/bundle.cjs, the package's one bundle (scripts/bundle.mjs), for dist/index.js and
// dist/cli.js, with V8's compiled code of it kept between runs.
//
// Why: compiling the ~2 MB bundle (parsing it at load, then each function the first time it runs)
// was about a third of the CPU from `import` to every API answered. Node 22.1+ can keep compiled
// code between runs (module.enableCompileCache()); Node 20 cannot, but V8's code cache is reachable
// through vm.Script: the bundle is compiled with the cached data of an earlier run, and a run that
// had none (or had it refused) writes it at exit, when it also holds every function that ran.
//
// What keeps it safe: V8 refuses cached data made by another V8 version or other V8 flags, but only
// compares the source's length, so the cache file is named by the bundle's content (its hash, taken
// at build time, with the file's size and modification time, so an edited bundle gets a new one),
// Node's V8 version and the architecture. It lives in a folder of the OS temp folder that belongs to
// the user and no one else may write (it holds code this process runs); a file is written whole and
// renamed into place. Anything that goes wrong (no temp folder, a full disk) only means no cache.
// Off, and the bundle loaded by require(): with NODE_DISABLE_COMPILE_CACHE=1 (Node's own switch),
// with source maps on (Node maps stack traces only of modules it loads itself), or when Node's own
// compile cache is on (Node 22.1+, which covers require()).
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { Stats } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

import type * as BundleExports from './bundle-entry.js';

export type Bundle = typeof BundleExports;

const BUNDLE_FILE = fileURLToPath(new URL('./bundle.cjs', import.meta.url));
/** Cache files written longer ago than this are removed when another is written (other installs' and Nodes'). */
const STALE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
const CACHE_SUFFIX = '.v8cache';

/** Where this user's cached code lives, or undefined when it cannot be used safely. */
export function compileCacheDir(): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `imagegen-mock-compile-cache${uid === undefined ? '' : `-${uid}`}`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // lstat: a symbolic link put there by someone else is refused, not followed.
    return ownedAndPrivate(lstatSync(dir), uid) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Another user's folder, one others may write to, or a link to anywhere, could hand this process code to run. */
function ownedAndPrivate(stats: Stats, uid: number | undefined): boolean {
  if (!stats.isDirectory()) return false;
  return uid === undefined || (stats.uid === uid && (stats.mode & 0o022) === 0);
}

/**
 * The cache file for this bundle, as built and as it is on disk, on this Node and architecture:
 * `<install>-<build>.v8cache`, where `<install>` names the bundle's path, Node's V8 and the
 * architecture, and `<build>` the bundle itself.
 */
function cacheFileName(buildHash: string, stats: Stats): string {
  const build = sha256(JSON.stringify([buildHash, stats.size, stats.mtimeMs])).slice(0, 32);
  return `${installPrefix()}${build}${CACHE_SUFFIX}`;
}

/** `<install>-` of {@link cacheFileName}: what every cache this install ever wrote on this Node starts with. */
function installPrefix(): string {
  return `${sha256(JSON.stringify([BUNDLE_FILE, process.versions.v8, process.arch])).slice(0, 16)}-`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Whether the bundle should be loaded by require() rather than with the cache (see the top of the file). */
function cacheOff(): boolean {
  const nodeCacheDir = (nodeModule as { getCompileCacheDir?: () => string | undefined }).getCompileCacheDir?.();
  return process.env.NODE_DISABLE_COMPILE_CACHE !== undefined || process.sourceMapsEnabled || nodeCacheDir !== undefined;
}

function readOrUndefined(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the compiled code at exit, whole or not at all, and clears out the cache files no run will
 * read again: this install's for its earlier builds (a rebuilt or updated bundle has a new name, so
 * a dev loop that rebuilds often would otherwise leave a file of about 1.3 MB per build), and any
 * written longer ago than {@link STALE_AFTER_MS} (other installs' and Nodes').
 */
function writeAtExit(script: vm.Script, dir: string, file: string): void {
  process.once('exit', () => {
    try {
      const partial = join(dir, `${file}.${process.pid}-${threadId}.tmp`);
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      renameSync(partial, join(dir, file));
      const now = Date.now();
      const install = installPrefix();
      // Only the cache's own files: a stale or superseded cache file, or one a run killed mid-write left partial.
      for (const name of readdirSync(dir)) {
        if (name === file || !/\.v8cache(\.[\w-]+\.tmp)?$/.test(name)) continue;
        const path = join(dir, name);
        const superseded = name.startsWith(install) && name.endsWith(CACHE_SUFFIX);
        if (superseded || now - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { force: true });
      }
    } catch {
      // A cache that cannot be written only costs the next run its compile time.
    }
  });
}

/**
 * The bundle's text. The build writes it in ASCII (escapes in strings, no JSDoc), read as Latin-1 at a
 * third of the cost of decoding UTF-8 into a two-byte string; a bundle edited since is read as UTF-8.
 */
function bundleSource(): string {
  const bytes = readFileSync(BUNDLE_FILE);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

export interface LoadOptions {
  /**
   * The process will serve for long (the CLI): worth ~10 ms at start-up to keep requests off a slow
   * path of V8's that the cached code otherwise sends Node into (see {@link primeNextTick}).
   * Default: false (a library import, such as a test file's, keeps its start-up).
   */
  longRunning?: boolean;
}

/**
 * The bundle's exports. `buildHash` is the bundle's content hash, written into dist/index.js and
 * dist/cli.js by the build.
 */
export function loadBundle(buildHash: string, options: LoadOptions = {}): Bundle {
  const require = nodeModule.createRequire(BUNDLE_FILE);
  const dir = cacheOff() ? undefined : compileCacheDir();
  if (dir === undefined) return require(BUNDLE_FILE) as Bundle;

  const file = cacheFileName(buildHash, statSync(BUNDLE_FILE));
  const cachedData = readOrUndefined(join(dir, file));
  if (cachedData !== undefined && options.longRunning === true) primeNextTick();
  // The wrapper shares the bundle's first line, as Node's own for CommonJS, so line numbers hold.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${bundleSource()}\n})`, {
    filename: BUNDLE_FILE,
    ...(cachedData === undefined ? {} : { cachedData }),
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  if (cachedData === undefined || script.cachedDataRejected === true) writeAtExit(script, dir, file);
  const module = { exports: {} as Bundle };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, BUNDLE_FILE, fileURLToPath(new URL('.', import.meta.url)));
  return module.exports;
}

/** Calls of `process.nextTick` {@link primeNextTick} makes (a third each with no, one and two arguments). */
export const NEXT_TICK_PRIMING_CALLS = 6000;

/**
 * Runs Node's `process.nextTick` a few thousand times before the cached bundle is loaded.
 *
 * In about half the processes that ran the bundle from V8's code cache (and in none that compiled
 * it), Node 20's `process.nextTick` later built its per-call object (`{ [async_id_symbol]: …,
 * [trigger_async_id_symbol]: …, callback, args }`) through V8's runtime on every call
 * (`Runtime_DefineKeyedOwnPropertyInLiteral` and map migrations in `perf`), about eight ticks per
 * request: some 5 µs of a 20-25 µs GET. Counted with `perf` on LumixAI's two GETs, one server
 * process per run: 9 of 13 processes with the cache, 0 of 10 without it, 0 of 8 with this priming
 * first (0 of 5 with ten times as much, 1 of 4 with a twentieth). Without `perf`, alternating: 4 of
 * 5 slow without the priming (24.5-27 µs and 32-33 µs), 0 of 5 with it (19-22 µs and 23-25 µs). Why
 * cached code does this was not found (no deopt of `nextTick` is traced). Priming costs about 10 ms
 * of start-up, which is why only a long-running process does it.
 */
function primeNextTick(): void {
  let sum = 0;
  const none = () => void sum++;
  const one = (a: number) => void (sum += a);
  const two = (a: number, b: number) => void (sum += a + b);
  for (let i = 0; i < NEXT_TICK_PRIMING_CALLS / 3; i++) {
    process.nextTick(none);
    process.nextTick(one, 1);
    process.nextTick(two, 1, 2);
  }
}
