// Kept installs (support/install-cache.ts) are about 90 MB each and every source change makes a new one:
// the folder keeps only the newest few, and nothing a day old.
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, expect, it } from 'vitest';

import { pruneInstalls } from './support/install-cache.js';

const HOUR = 60 * 60 * 1000;
const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A folder of kept installs, each `[name, age in hours]`, aged by its modification time. */
async function installs(now: number, entries: readonly (readonly [string, number])[]): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'imagegen-install-cache-test-'));
  made.push(folder);
  for (const [name, hours] of entries) {
    await mkdir(join(folder, name));
    const when = new Date(now - hours * HOUR);
    await utimes(join(folder, name), when, when);
  }
  return folder;
}

it.each([
  { keep: 3, current: 'new', expected: ['a1', 'a2', 'new', 'x.partial-12'] },
  { keep: 1, current: 'new', expected: ['new', 'x.partial-12'] },
  { keep: 3, current: 'a5', expected: ['a1', 'a5', 'new', 'x.partial-12'] },
])('keeps $keep install(s), the one just kept ($current) always among them, and forgets what is a day old', async ({ keep, current, expected }) => {
  const now = Date.now();
  const folder = await installs(now, [['new', 0], ['a1', 1], ['a2', 2], ['a3', 3], ['a5', 5], ['x.partial-12', 0.5], ['old.partial-9', 30], ['old', 25]]);
  await pruneInstalls(folder, current, keep, now);
  expect((await readdir(folder)).sort()).toEqual(expected);
});
