// Packs every publishable package (each workspace package not marked private) into one folder, so
// a project outside this repository can install the set before it is on npm:
//
//   pnpm tarballs                                  build, then pack into ./tarballs/
//   npm install --save-dev <this repo>/tarballs/*.tgz   in the other project: the whole set, one line
//
// All of them are needed: the clients depend on @imagegen/client-kit, the mock server on
// @imagegen/spec and @imagegen/docs, none of which npm can fetch yet. `--out <dir>` packs elsewhere;
// `--no-build` skips the build (apps/consumer-tests packs this way, after turbo built everything).
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';

import { parse } from 'yaml';

const run = promisify(execFile);

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where `pnpm tarballs` writes, relative to the repository. */
export const DEFAULT_OUT = 'tarballs';

/** Every package of pnpm-workspace.yaml, read from disk: a new packages/<slug> is found with no change here. */
export function workspacePackages() {
  const { packages: globs } = parse(readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8'));
  const dirs = globs.flatMap((glob) => {
    if (!glob.includes('*')) return [join(ROOT, glob)];
    if (!/^[^*]+\/\*$/.test(glob)) throw new Error(`pnpm-workspace.yaml: only "dir" and "dir/*" patterns are understood here, got ${glob}`);
    const parent = join(ROOT, glob.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(parent, entry.name));
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The packages a user can install: every workspace package not marked private. */
export function publishablePackages() {
  return workspacePackages().filter((pkg) => pkg.manifest.private !== true);
}

/**
 * Packs every publishable package into `destination` (its old tarballs removed first). One
 * `pnpm --recursive pack` for the set: a pnpm process per package cost about 0.5 s of CPU each.
 */
export async function packTarballs(destination) {
  mkdirSync(destination, { recursive: true });
  for (const file of readdirSync(destination)) if (file.endsWith('.tgz')) rmSync(join(destination, file));
  const packages = publishablePackages();
  // pnpm pack, not npm pack: it turns `workspace:*` ranges into the packed versions.
  const filters = packages.map((pkg) => `--filter=${pkg.manifest.name}`);
  const packing = run('pnpm', ['--recursive', ...filters, 'pack', '--pack-destination', destination, '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  // A recursive pnpm waits for its stdin to end (up to two minutes) before it exits.
  packing.child.stdin?.end();
  const { stdout } = await packing;
  const tarballs = new Map(JSON.parse(stdout).map((packed) => [packed.name, packed.filename]));
  return packages.map(({ dir, manifest }) => {
    const tarball = tarballs.get(manifest.name);
    if (!tarball) throw new Error(`pnpm pack made no tarball for ${manifest.name}`);
    return { name: manifest.name, dir, tarball, hasCode: manifest.exports?.['.'] !== undefined };
  });
}

/** The one line that installs the set into another project. */
export function installCommand(destination) {
  return `npm install --save-dev ${destination}/*.tgz`;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string', default: DEFAULT_OUT }, 'no-build': { type: 'boolean', default: false } } });
  const destination = resolve(ROOT, values.out);
  const packages = publishablePackages();
  if (!values['no-build']) {
    console.log(`tarballs: building ${packages.length} packages...`);
    const filters = packages.map((pkg) => `--filter=${pkg.manifest.name}`);
    const built = spawnSync('turbo', ['run', 'build', ...filters, '--output-logs=errors-only'], { cwd: ROOT, stdio: 'inherit' });
    if (built.error) throw built.error;
    if (built.status !== 0) process.exit(built.status ?? 1);
  }
  const packed = await packTarballs(destination);
  for (const pkg of packed) console.log(`tarballs: ${pkg.name} -> ${relative(process.cwd(), pkg.tarball) || pkg.tarball}`);
  console.log(`\nInstall them all in your project (an ESM project, "type": "module"), with one line:\n\n  ${installCommand(destination)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
