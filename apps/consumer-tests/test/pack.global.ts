// Packs every publishable package once for all test files, as `pnpm tarballs` does (turbo has
// built them: this task depends on their builds); the tarballs are removed at the end.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { TestProject } from 'vitest/node';

import { removeOnStop } from '../../../scripts/stop-on-signal.mjs';
import { packTarballs } from './support/workspace.js';
import type { PackedPackage } from './support/workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    packed: PackedPackage[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const destination = await mkdtemp(join(tmpdir(), 'imagegen-packed-'));
  removeOnStop(destination);
  project.provide('packed', await packTarballs(destination));
  return () => rm(destination, { recursive: true, force: true });
}
