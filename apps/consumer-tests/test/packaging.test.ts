// Every publishable package, as its tarball: publint and arethetypeswrong report nothing, and it
// carries what an outside project needs (licence, README, engines, repository, the sources its
// source maps name).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { ROOT, publishablePackages, workspacePackages } from './support/workspace.js';
import type { Manifest } from './support/workspace.js';

const run = promisify(execFile);
const packed = inject('packed');
const ATTW = fileURLToPath(new URL('./support/attw.mjs', import.meta.url));
const BUILD_PACKAGES = join(ROOT, 'scripts', 'build-packages.mjs');
const ownManifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as Manifest;
const rootManifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Manifest;
const rootLicense = await readFile(join(ROOT, 'LICENSE'), 'utf8');

/** Every file below `dir`, relative to it. */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

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

// A new package copies these from any other package.json (packages/lumixai's, say), its LICENSE file
// and a README.md opening with `# <name>`; a publishable one also `repository.directory`.
describe('every workspace package', () => {
  it.each(workspacePackages().map((pkg) => [pkg.manifest.name, pkg.manifest] as const))('%s declares the licence and the Node versions of the repository', (name, manifest) => {
    expect(manifest.license, `${name}: "license": "${rootManifest.license}"`).toBe(rootManifest.license);
    expect(manifest.engines?.node, `${name}: "engines": { "node": "${rootManifest.engines?.node}" }`).toBe(rootManifest.engines?.node);
  });

  // tsc only adds and overwrites: a deleted source's .js and .map would stay in dist/, be cached by
  // turbo with the build's outputs, come back on every cache hit and be packed.
  it.each(workspacePackages().filter((pkg) => /\btsc\b/.test(pkg.manifest.scripts?.build ?? '')).map((pkg) => [pkg.manifest.name, pkg.manifest] as const))('%s builds from an empty dist/', (name, manifest) => {
    expect(manifest.scripts!.build, `${name}: start "build" with "node ../../scripts/clean-dist.mjs && "`).toMatch(/^node \.\.\/\.\.\/scripts\/clean-dist\.mjs && /);
  });
});

// The library packages without a build script of their own (client-kit, the clients, ai-sdk) are
// built together by scripts/build-packages.mjs (the root turbo task //#build-packages).
describe('scripts/build-packages.mjs', () => {
  /** A package of one source file, with a leftover in dist/ from a source since deleted. */
  async function fixturePackage(source: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'imagegen-build-packages-'));
    await mkdir(join(dir, 'src'));
    await mkdir(join(dir, 'dist'));
    const compilerOptions = { rootDir: 'src', outDir: 'dist', noEmit: false, types: [] };
    await writeFile(join(dir, 'tsconfig.build.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.base.json'), compilerOptions, include: ['src'] }));
    await writeFile(join(dir, 'src', 'index.ts'), source);
    await writeFile(join(dir, 'dist', 'renamed.js'), '// the output of a source deleted since\n');
    return dir;
  }

  /**
   * One run of the script over both fixtures, a package that builds and one with a syntax error, for
   * the two tests below: TypeScript and its lib files load once (1.7 s of CPU) instead of once per
   * test, and the second package is built from the syntax trees the first one shared, as in the
   * root task. Each package's outcome is its own: the script reports and counts errors per package.
   */
  let both: Promise<{ good: string; bad: string; code: number; stdout: string; stderr: string }> | undefined;
  const buildBoth = () =>
    (both ??= (async () => {
      const good = await fixturePackage('export const answer = (): number => 42;\n');
      const bad = await fixturePackage('export const = 42;\n');
      const outcome = await run(process.execPath, [BUILD_PACKAGES, good, bad]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
      return { good, bad, ...outcome };
    })());
  afterAll(async () => {
    const built = await both?.catch(() => undefined);
    if (built) await Promise.all([built.good, built.bad].map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('builds a package from an empty dist/, as clean-dist.mjs does for a package that builds itself', async () => {
    const { good, stdout, stderr } = await buildBoth();
    // Built without an error of its own: the script says so only for a package with none.
    expect(stdout).toContain(`build-packages: ${relative(ROOT, good)} -> ${relative(ROOT, join(good, 'dist'))}\n`);
    expect(stderr).not.toContain(relative(process.cwd(), good));
    expect((await filesBelow(join(good, 'dist'))).sort()).toEqual(['index.d.ts', 'index.d.ts.map', 'index.js', 'index.js.map']);
    expect(await readFile(join(good, 'dist', 'index.d.ts'), 'utf8')).toContain('export declare const answer: () => number;');
  });

  it('fails on a syntax error, naming the file and the line', async () => {
    const { bad, code, stdout, stderr } = await buildBoth();
    expect(code, 'exit code').toBe(1);
    expect(stderr).toMatch(/src\/index\.ts\(1,14\): error TS1134/);
    expect(stderr).toContain(`${relative(process.cwd(), bad)}/src/index.ts(1,14)`);
    expect(stdout).not.toContain(relative(ROOT, bad));
  });
});

describe.each(packed)('$name', (pkg) => {
  it('ships a README, the licence, and the metadata a registry and provenance need', async () => {
    const unpacked = await mkdtemp(join(tmpdir(), 'imagegen-unpacked-'));
    try {
      await run('tar', ['-xzf', pkg.tarball, '-C', unpacked]);
      const root = join(unpacked, 'package');
      const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;
      expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(manifest.license).toBe('MIT');
      expect(existsSync(join(root, 'LICENSE')), `${pkg.name}: copy the repository's LICENSE into ${relative(ROOT, pkg.dir)}/`).toBe(true);
      expect(await readFile(join(root, 'LICENSE'), 'utf8')).toBe(rootLicense);
      expect(existsSync(join(root, 'README.md')), `${pkg.name}: add ${relative(ROOT, pkg.dir)}/README.md`).toBe(true);
      expect((await readFile(join(root, 'README.md'), 'utf8')).startsWith(`# ${pkg.name}\n`), 'README.md opens with the package name').toBe(true);
      expect(manifest.engines?.node).toBe(rootManifest.engines?.node);
      expect(manifest.repository, `${pkg.name}: "repository" with "directory": "${relative(ROOT, pkg.dir)}"`).toEqual({ ...(rootManifest.repository as object), directory: relative(ROOT, pkg.dir) });
      expect(manifest.homepage).toMatch(/^https:\/\//);
      expect(manifest.publishConfig, `${pkg.name}: "publishConfig": { "access": "public" }`).toEqual({ access: 'public' });
      // A source map naming a file the tarball lacks gives a user's stack traces paths that do not exist.
      const files = new Set(await filesBelow(root));
      const missing: string[] = [];
      for (const map of [...files].filter((file) => file.endsWith('.map'))) {
        const { sources, sourcesContent } = JSON.parse(await readFile(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
        sources.forEach((source, index) => {
          if (sourcesContent?.[index] == null && !existsSync(join(root, dirname(map), source))) missing.push(`${map} -> ${source}`);
        });
      }
      expect(missing, `${pkg.name}: add "src" to "files", or inline the sources`).toEqual([]);
    } finally {
      await rm(unpacked, { recursive: true, force: true });
    }
  });

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
// CommonJS `require` works at run time through Node's require(esm) on every supported Node (the
// consumer test requires each package); its types are for `import` (the esm-only profile).
const withCode = packed.filter((pkg) => pkg.hasCode);
/** attw's verdicts for every tarball at once (support/attw.mjs), run once for the tests that ask. */
let attwRun: Promise<Record<string, { report: string; code: number }>> | undefined;
const attw = (tarball: string) => {
  attwRun ??= run(process.execPath, [ATTW, ...withCode.map((pkg) => pkg.tarball)], { timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }).then(({ stdout }) => JSON.parse(stdout));
  return attwRun.then((results) => results[tarball]!);
};
describe.each(withCode)('$name', (pkg) => {
  it('passes arethetypeswrong (esm-only profile), with its types inside the package', async () => {
    const result = await attw(pkg.tarball);
    expect(result.report).not.toMatch(/does not contain types/);
    expect(result.code, result.report).toBe(0);
  });
});
