// The npm install of the tarballs (and TypeScript) into a fresh project is most of the consumer
// test's time: about 15 s, 11 s of it CPU. What it produces depends only on what is installed and
// how: the tarballs' contents, the commands, the project's package.json and .npmrc, Node's and npm's
// versions. So a finished install is kept in the temporary folder under a key made of all that, and
// a run with the same key copies it into its fresh project instead of installing again. Any change
// installs afresh, as does a machine that never ran the test, or a copy older than a day (what
// npm resolves from the registry moves on); CI always does (consumer.test.ts).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';

const run = promisify(execFile);

/** Where finished installs are kept, one folder per key. */
export const INSTALLS = join(tmpdir(), 'imagegen-consumer-installs');
/** What an install leaves in the project, and a copy restores. */
const INSTALLED = ['node_modules', 'package.json', 'package-lock.json'];
const COMPLETE = '.complete';
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
/** Installs kept at most (about 90 MB each): every source change packs new tarballs, so a day of work would otherwise keep dozens. */
const MAX_KEPT = 3;
/** The maps `pnpm pack` writes in varying order; their order means nothing to npm. */
const DEPENDENCY_MAPS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];

/** Each file of a .tgz as `name sha256`, with package.json's dependency maps in key order. */
export function tarballDigest(tgz: Buffer): string {
  const tar = gunzipSync(tgz);
  const lines: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0[\s\S]*$/, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    let body = tar.subarray(offset + 512, offset + 512 + size);
    if (name === 'package/package.json') {
      const manifest = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      for (const map of DEPENDENCY_MAPS) {
        const entries = manifest[map];
        if (entries && typeof entries === 'object') manifest[map] = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)));
      }
      body = Buffer.from(JSON.stringify(manifest));
    }
    lines.push(`${field(156, 1) || '0'} ${name} ${createHash('sha256').update(body).digest('hex')}`);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return lines.sort().join('\n');
}

/** The key of an install: every tarball's files, the commands and project files given, Node's and npm's versions. */
export async function installKey(tarballs: readonly string[], inputs: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const hash = createHash('sha256');
  const { stdout: npmVersion } = await run('npm', ['--version'], { env });
  hash.update(`node ${process.version}\nnpm ${npmVersion.trim()}\n`);
  for (const input of inputs) hash.update(`${input}\n`);
  for (const digest of (await Promise.all(tarballs.map(async (tarball) => tarballDigest(await readFile(tarball))))).sort()) hash.update(`${digest}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** Copies the install kept under `key` into `project`; false when there is none (or it is a day old). */
export async function restoreInstall(key: string, project: string): Promise<boolean> {
  const kept = join(INSTALLS, key);
  if (!(await isFresh(kept))) return false;
  await run('cp', ['-a', ...INSTALLED.map((name) => join(kept, name)), project]);
  return true;
}

/** Keeps what the install left in `project` under `key` (written aside, then renamed: other clones may read at once); forgets installs a day old. */
export async function keepInstall(key: string, project: string): Promise<void> {
  await mkdir(INSTALLS, { recursive: true });
  const kept = join(INSTALLS, key);
  const partial = `${kept}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  await run('cp', ['-a', ...INSTALLED.map((name) => join(project, name)), partial]);
  await writeFile(join(partial, COMPLETE), '');
  if (await isFresh(kept)) await rm(partial, { recursive: true, force: true });
  else {
    await rm(kept, { recursive: true, force: true });
    await rename(partial, kept).catch(() => rm(partial, { recursive: true, force: true }));
  }
  await pruneInstalls(INSTALLS, key);
}

/**
 * Forgets kept installs a day old, and all but the `keep` newest (by when they were written; `current`, the one
 * just kept, always stays). Partial copies of other running tests are left alone unless a day old.
 */
export async function pruneInstalls(folder: string, current: string, keep = MAX_KEPT, now = Date.now()): Promise<void> {
  const entries = await Promise.all(
    (await readdir(folder)).map(async (name) => ({ name, mtimeMs: (await stat(join(folder, name)).catch(() => undefined))?.mtimeMs })),
  );
  const complete: { name: string; mtimeMs: number }[] = [];
  for (const { name, mtimeMs } of entries) {
    if (mtimeMs === undefined) continue;
    if (now - mtimeMs > MAX_AGE_MS) await rm(join(folder, name), { recursive: true, force: true });
    else if (!name.includes('.partial-') && name !== current) complete.push({ name, mtimeMs });
  }
  complete.sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { name } of complete.slice(Math.max(0, keep - 1))) await rm(join(folder, name), { recursive: true, force: true });
}

/** Whether `kept` holds a complete install less than a day old. */
async function isFresh(kept: string): Promise<boolean> {
  const complete = await stat(join(kept, COMPLETE)).catch(() => undefined);
  return complete !== undefined && Date.now() - complete.mtimeMs <= MAX_AGE_MS;
}
