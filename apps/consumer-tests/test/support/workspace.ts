import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { parse } from 'yaml';

const run = promisify(execFile);

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export interface WorkspacePackage {
  dir: string;
  manifest: Manifest;
}

/** A publishable package packed with `pnpm pack` (workspace: ranges replaced by versions). */
export interface PackedPackage {
  name: string;
  dir: string;
  tarball: string;
  /** Whether it has a JavaScript entry point (`exports["."]`); the others ship data only. */
  hasCode: boolean;
}

/** Every package of pnpm-workspace.yaml, read from disk: a new packages/<slug> is found with no change here. */
export function workspacePackages(): WorkspacePackage[] {
  const { packages: globs } = parse(readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] };
  const dirs = globs.flatMap((glob) => {
    if (!glob.includes('*')) return [join(ROOT, glob)];
    if (!/^[^*]+\/\*$/.test(glob)) throw new Error(`pnpm-workspace.yaml: only "dir" and "dir/*" patterns are understood here, got ${glob}`);
    const parent = join(ROOT, glob.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => join(parent, entry.name));
  });
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/** The packages a user can install: every workspace package not marked private. */
export function publishablePackages(): WorkspacePackage[] {
  return workspacePackages().filter((pkg) => pkg.manifest.private !== true);
}

/** Packs every publishable package into `destination`, in parallel. */
export async function packAll(destination: string): Promise<PackedPackage[]> {
  return Promise.all(
    publishablePackages().map(async ({ dir, manifest }) => {
      const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
      const { filename } = JSON.parse(stdout) as { filename: string };
      return { name: manifest.name, dir, tarball: filename, hasCode: manifest.exports?.['.'] !== undefined };
    }),
  );
}
