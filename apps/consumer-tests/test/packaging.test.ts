// Every publishable package, as its tarball: publint and arethetypeswrong report nothing.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { describe, expect, inject, it } from 'vitest';

import { publishablePackages } from './support/workspace.js';
import type { Manifest } from './support/workspace.js';

const run = promisify(execFile);
const packed = inject('packed');
const attw = join(dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')), 'dist', 'index.js');
const ownManifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as Manifest;

describe('the publishable packages', () => {
  it('are every workspace package not marked private, each packed once', () => {
    expect(packed.map((pkg) => pkg.name).sort()).toEqual(publishablePackages().map((pkg) => pkg.manifest.name).sort());
    expect(packed.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(['@imagegen/client-kit', '@imagegen/lumixai', '@imagegen/mock-server']));
  });

  it('are all dependencies of this package, so turbo builds each before these tests run', () => {
    const missing = packed.map((pkg) => pkg.name).filter((name) => ownManifest.devDependencies?.[name] !== 'workspace:*');
    expect(missing, `add "<name>": "workspace:*" to apps/consumer-tests/package.json devDependencies for: ${missing.join(', ')}`).toEqual([]);
  });
});

describe.each(packed)('$name', (pkg) => {
  it('passes publint (strict, suggestions included)', async () => {
    const tarball = await readFile(pkg.tarball);
    const { messages, pkg: manifest } = await publint({
      pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) },
      level: 'suggestion',
      strict: true,
    });
    expect(messages.map((message) => `${message.type}: ${formatMessage(message, manifest) ?? message.code}`)).toEqual([]);
  });
});

// attw checks how TypeScript resolves a package's types, so it runs on the packages with a
// JavaScript entry point (the specs and the rendered docs ship data only). ESM-only by design:
// CommonJS `require` and node10 resolution are out of scope (the esm-only profile).
describe.each(packed.filter((pkg) => pkg.hasCode))('$name', (pkg) => {
  it('passes arethetypeswrong (esm-only profile), with its types inside the package', async () => {
    const args = [attw, pkg.tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-color', '--no-emoji'];
    const result = await run(process.execPath, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ stdout, code: 0 }),
      (error: { stdout?: string; code?: number }) => ({ stdout: error.stdout ?? '', code: error.code }),
    );
    expect(result.stdout).not.toMatch(/does not contain types/);
    expect(result.code, result.stdout).toBe(0);
  });
});
