// A project outside the workspace that installs the packed tarballs with the README's one npm line
// (no workspace links), imports every package (and requires it), type-checks and runs the README's
// client snippet under `tsc --init` defaults, starts the mock through its executable and runs one job
// life cycle per API. Catches a file missing from `files`, a broken `exports` map, a dependency only the
// workspace provides, and a broken `bin`.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { installKey, keepInstall, restoreInstall } from './support/install-cache.js';
import { killGroupOnStop, removeOnStop } from '../../../scripts/stop-on-signal.mjs';
import { ROOT } from './support/workspace.js';
import type { Manifest } from './support/workspace.js';

const run = promisify(execFile);
const packed = inject('packed');
const consumerFiles = ['run.mjs', 'lifecycles.mjs'].map((file) => fileURLToPath(new URL(`../consumer/${file}`, import.meta.url)));
/** Each API's life cycle (`export const lifecycle`), one file per slug, shared with the mock's bench: copied to `lifecycles/`. */
const lifecycleDir = join(ROOT, 'apps', 'mock-server', 'bench', 'apis');

/**
 * npm as a user runs it: without the variables pnpm sets for the script running this test (npm
 * warns about, or acts on, some of them). npm's own cache (~/.npm) is kept: it only ever holds
 * registry tarballs by content hash, so reusing it between runs is safe, and --prefer-offline
 * skips re-checking metadata already there.
 */
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(pnpm_|npm_(command|lifecycle_|package_|execpath|node_execpath|config_user_agent|config_verify_deps_before_run))/i.test(key)),
);

const { CI, IMAGEGEN_SLOW_TESTS } = process.env;
const ALWAYS_INSTALL = IMAGEGEN_SLOW_TESTS === '1' || (CI !== undefined && CI !== '' && CI !== 'false' && CI !== '0');

let project: string;
let mock: ChildProcess | undefined;
let mockUrl: string;

const README = await readFile(join(ROOT, 'README.md'), 'utf8');
const rootManifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** The README's one install line (`npm install --save-dev <repo>/tarballs/*.tgz`), pointed at `dir`. */
function readmeInstallLine(dir: string): string {
  const line = /^npm install --save-dev \S*tarballs\/\*\.tgz/m.exec(README)?.[0];
  if (!line) throw new Error('README.md has no `npm install --save-dev <repo>/tarballs/*.tgz` line');
  return line.replace(/\S*tarballs\/\*\.tgz$/, `${dir}/*.tgz`);
}

/** The first TypeScript block of the README's "## The clients" section. */
function readmeClientSnippet(): string {
  const section = README.slice(README.indexOf('\n## The clients'));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!snippet) throw new Error('README.md has no ```ts block under "## The clients"');
  return snippet;
}

const npm = (args: string[], timeout = 75_000) => run('npm', args, { cwd: project, env: npmEnv, timeout });
/**
 * A command the project's dependencies installed (`node_modules/.bin`), as `npm exec` runs it, but
 * without an npm process around it (0.4 s of CPU each). `npx imagegen-mock` keeps its own test.
 */
const bin = (name: string, args: string[], timeout: number) => run(join(project, 'node_modules', '.bin', name), args, { cwd: project, env: npmEnv, timeout });

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'imagegen-consumer-'));
  removeOnStop(project);
  // A fresh ESM project (`npm init -y`, then "type": "module", which the README asks for).
  const manifest = JSON.stringify({ name: 'imagegen-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2);
  await writeFile(join(project, 'package.json'), manifest);
  // linked: each package sees only the dependencies it declares, as under pnpm, so a package that
  // leans on another one's dependency fails here even though a flat node_modules would hide it.
  // The rest keeps the run quick and quiet; none of it changes what gets installed.
  const npmrc = ['install-strategy=linked', 'prefer-offline=true', 'audit=false', 'fund=false', 'ignore-scripts=true', 'loglevel=error', ''].join('\n');
  await writeFile(join(project, '.npmrc'), npmrc);
  await Promise.all(consumerFiles.map((file) => copyFile(file, join(project, file.split('/').at(-1)!))));
  await mkdir(join(project, 'lifecycles'));
  const lifecycleFiles = (await readdir(lifecycleDir)).filter((file) => file.endsWith('.mjs'));
  await Promise.all(lifecycleFiles.map((file) => copyFile(join(lifecycleDir, file), join(project, 'lifecycles', file))));
  // The README's line as a user runs it: the shell expands the glob to every tarball.
  const installLine = readmeInstallLine(dirname(packed[0]!.tarball));
  // What a TypeScript user has besides, at the versions this repository builds with.
  const typescript = ['install', '--save-dev', `typescript@${rootManifest.devDependencies!.typescript}`, `@types/node@${rootManifest.devDependencies!['@types/node']}`];
  // The same tarballs, commands and project as a run that installed them before: its install. CI
  // (and IMAGEGEN_SLOW_TESTS=1, as for the mock server's slow tests) always installs afresh.
  const key = await installKey(packed.map((pkg) => pkg.tarball), [readmeInstallLine('<tarballs>'), typescript.join(' '), manifest, npmrc], npmEnv);
  if (!ALWAYS_INSTALL && (await restoreInstall(key, project))) return;
  await run('sh', ['-c', installLine], { cwd: project, env: npmEnv, timeout: 75_000 });
  await npm(typescript);
  if (!ALWAYS_INSTALL) await keepInstall(key, project);
});

afterAll(async () => {
  if (mock?.pid !== undefined && mock.exitCode === null) {
    const exited = new Promise((resolve) => mock!.once('exit', resolve));
    process.kill(-mock.pid, 'SIGTERM'); // npx and the server under it: the group this test started
    await exited;
  }
  if (project) await rm(project, { recursive: true, force: true });
});

/** Starts `npx imagegen-mock` in the project and resolves with the URL it prints. */
function startMockThroughNpx(): Promise<string> {
  const child = spawn('npx', ['--no-install', 'imagegen-mock', '--port', '0', '--host', '127.0.0.1', '--timing', 'instant', '--quiet'], {
    cwd: project,
    env: npmEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so afterAll stops npx and the server together
  });
  mock = child;
  // Stopped by a signal (turbo, Ctrl-C), this process runs no afterAll: the group is killed then.
  killGroupOnStop(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`imagegen-mock printed no URL within 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`imagegen-mock exited (${code}) before listening:\n${output}`));
    });
  });
}

describe('a project outside the workspace, with the tarballs installed by npm', () => {
  it('has every package from its tarball, none linked into the workspace', async () => {
    for (const pkg of packed) {
      const installed = await realpath(join(project, 'node_modules', pkg.name));
      expect(installed.startsWith(await realpath(project)), `${pkg.name} -> ${installed}`).toBe(true);
    }
  });

  it("resolves a mock config's $schema into the installed package, and the executable refuses a config that breaks it", async () => {
    const schemaRef = './node_modules/@imagegen/mock-server/dist/config.schema.json';
    const schema = JSON.parse(await readFile(join(project, schemaRef), 'utf8')) as { $schema: string; properties: { apis: { properties: object } } };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(Object.keys(schema.properties.apis.properties)).toContain('lumixai');
    await writeFile(join(project, 'mock.json'), JSON.stringify({ $schema: schemaRef, apis: { lumixai: { keys: 'notarray' } } }));
    const refused = await bin('imagegen-mock', ['--config', 'mock.json', '--port', '0'], 20_000).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe('imagegen-mock: Mock server config mock.json: apis.lumixai.keys: must be an array, got "notarray"\n');
  });

  it('starts the mock through its executable (npx imagegen-mock), which serves the docs from @imagegen/docs', async () => {
    mockUrl = await startMockThroughNpx();
    const { apis } = (await (await fetch(`${mockUrl}/`)).json()) as { apis: Array<{ slug: string; docsUrl: string }> };
    expect(apis.length).toBeGreaterThan(0);
    for (const api of apis) {
      const docs = await fetch(api.docsUrl);
      expect(docs.status, api.docsUrl).toBe(200);
      expect(await docs.text()).toMatch(/<html/);
    }
  });

  it('imports every package with a JavaScript entry, and runs one job life cycle per mounted API to an image', async () => {
    expect(mockUrl, 'the mock started').toBeDefined();
    const { stdout } = await run(process.execPath, ['run.mjs', mockUrl], { cwd: project, timeout: 30_000 });
    const report = JSON.parse(stdout) as {
      imports: Record<string, { exports?: string[]; error?: string }>;
      lifecycles: Record<string, { error?: string; contentType?: string; signature?: string; format?: 'png' | 'jpeg'; width?: number; height?: number; statuses?: string[] }>;
    };

    expect(Object.keys(report.imports).sort()).toEqual(packed.filter((pkg) => pkg.hasCode).map((pkg) => pkg.name).sort());
    for (const [name, result] of Object.entries(report.imports)) {
      expect(result.error, name).toBeUndefined();
      expect(result.exports?.length, `${name} exports something`).toBeGreaterThan(0);
    }

    const { apis } = (await (await fetch(`${mockUrl}/`)).json()) as { apis: Array<{ slug: string }> };
    expect(Object.keys(report.lifecycles).sort()).toEqual(apis.map((api) => api.slug).sort());
    for (const [slug, result] of Object.entries(report.lifecycles)) {
      expect(result.error, slug).toBeUndefined();
      // PNG's eight-byte signature, or JPEG's start-of-image marker, matching the Content-Type served.
      const SIGNATURE = { png: /^89504e470d0a1a0a$/, jpeg: /^ffd8ff/ } as const;
      expect(result.format, slug).toMatch(/^(png|jpeg)$/);
      expect(result, slug).toMatchObject({ contentType: `image/${result.format}`, signature: expect.stringMatching(SIGNATURE[result.format!]) });
      expect(result.width! * result.height!, `${slug} image size`).toBeGreaterThan(0);
      expect(result.statuses?.length, `${slug} was polled`).toBeGreaterThan(1);
    }
  });

  it("type-checks the README's client snippet with `tsc --init` defaults, then runs it against the mock", async () => {
    expect(mockUrl, 'the mock started').toBeDefined();
    // `--types node` is what the generated tsconfig's own comment asks of a Node project.
    await bin('tsc', ['--init', '--types', 'node'], 30_000);
    const tsconfig = await readFile(join(project, 'tsconfig.json'), 'utf8');
    for (const option of ['"strict": true', '"exactOptionalPropertyTypes": true', '"noUncheckedIndexedAccess": true']) expect(tsconfig).toContain(option);
    await writeFile(join(project, 'readme-client.ts'), readmeClientSnippet().replaceAll('http://127.0.0.1:4010', mockUrl));
    const compiled = await bin('tsc', ['-p', '.'], 60_000).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(compiled, 'tsc errors').toBe('');
    // Each client's key variable, as the snippet reads it, set to a key the mock lists as accepted.
    const { apis } = (await (await fetch(`${mockUrl}/`)).json()) as { apis: Array<{ slug: string; keys: Array<{ key: string; masked?: true }> }> };
    const keyVariables = [...readmeClientSnippet().matchAll(/\$\{mock\}\/([\w-]+)[/`][^\n]*process\.env\.(\w+)/g)].map(([, slug, variable]) => [slug!, variable!] as const);
    expect(keyVariables.map(([slug]) => slug).sort(), 'one key variable per API in the snippet').toEqual(apis.map((api) => api.slug).sort());
    const keys = Object.fromEntries(keyVariables.map(([slug, variable]) => [variable, apis.find((api) => api.slug === slug)!.keys.find((shown) => !shown.masked)!.key]));
    const { stdout } = await run(process.execPath, ['readme-client.js'], { cwd: project, env: { ...npmEnv, ...keys }, timeout: 60_000 });
    // `<vendor> <content type> <width> <height> <bytes>` per image, from every vendor.
    const images = stdout.split('\n').flatMap((line) => /^([\w-]+) image\/(?:png|jpeg|webp) \d+ \d+ [1-9]\d*$/.exec(line)?.slice(1, 2) ?? []);
    expect(new Set(images), stdout).toEqual(new Set(apis.map((api) => api.slug)));
  });

  it('is ESM, and require() works too (Node\'s require(esm), on every Node the packages support)', async () => {
    const names = packed.filter((pkg) => pkg.hasCode).map((pkg) => pkg.name);
    const script = `for (const name of ${JSON.stringify(names)}) console.log(name, Object.keys(require(name)).length);`;
    const { stdout, stderr } = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: project, timeout: 30_000 });
    expect(stderr).toBe('');
    for (const name of names) expect(stdout, name).toMatch(new RegExp(`^${name} [1-9]\\d*$`, 'm'));
  });

  it('on a Node older than its engines, the executable says which Node in one line and exits 1, and the library throws the same', async () => {
    const engines = JSON.parse(await readFile(join(project, 'node_modules', '@imagegen', 'mock-server', 'package.json'), 'utf8')).engines.node as string;
    // Node 20.10 is what the issue saw die with "'node:zlib' does not provide an export named 'crc32'".
    const oldNode = ['--import', `data:text/javascript,${encodeURIComponent("Object.defineProperty(process.versions, 'node', { value: '20.10.0' })")}`];
    const outcome = (args: string[]) =>
      run(process.execPath, [...oldNode, ...args], { cwd: project, timeout: 30_000 }).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
      );
    const cli = await outcome([join('node_modules', '.bin', 'imagegen-mock'), '--port', '0']);
    expect(cli).toEqual({ code: 1, stderr: `imagegen-mock: @imagegen/mock-server needs Node ${engines}; this is Node 20.10.0. Install a newer Node (e.g. \`nvm install 22\`) and run it again.\n` });
    const library = await outcome(['--input-type=module', '-e', "await import('@imagegen/mock-server')"]);
    expect(library.code).toBe(1);
    expect(library.stderr).toContain(`Error: @imagegen/mock-server needs Node ${engines}; this is Node 20.10.0.`);
    expect(library.stderr).not.toContain('SyntaxError');
  });
});
