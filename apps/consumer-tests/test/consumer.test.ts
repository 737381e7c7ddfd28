// A project outside the workspace that installs the packed tarballs with npm (no workspace links),
// imports every package, starts the mock through its executable and runs one job life cycle per
// API. Catches a file missing from `files`, a broken `exports` map, a dependency only the
// workspace provides, and a broken `bin`.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const packed = inject('packed');
const consumerFiles = ['run.mjs', 'lifecycles.mjs'].map((file) => fileURLToPath(new URL(`../consumer/${file}`, import.meta.url)));

/**
 * npm as a user runs it: without the variables pnpm sets for the script running this test (npm
 * warns about, or acts on, some of them). npm's own cache (~/.npm) is kept: it only ever holds
 * registry tarballs by content hash, so reusing it between runs is safe, and --prefer-offline
 * skips re-checking metadata already there.
 */
const npmEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(pnpm_|npm_(command|lifecycle_|package_|execpath|node_execpath|config_user_agent|config_verify_deps_before_run))/i.test(key)),
);

let project: string;
let mock: ChildProcess | undefined;
let mockUrl: string;

beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'imagegen-consumer-'));
  const dependencies = Object.fromEntries(packed.map((pkg) => [pkg.name, `file:${pkg.tarball}`]));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'imagegen-consumer', private: true, type: 'module', dependencies }, null, 2));
  await Promise.all(consumerFiles.map((file) => copyFile(file, join(project, file.split('/').at(-1)!))));
  // linked: each package sees only the dependencies it declares, as under pnpm, so a package that
  // leans on another one's dependency fails here even though a flat node_modules would hide it.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--install-strategy=linked', '--loglevel=error'], {
    cwd: project,
    env: npmEnv,
    timeout: 75_000,
  });
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
    const refused = await run('npx', ['--no-install', 'imagegen-mock', '--config', 'mock.json', '--port', '0'], { cwd: project, env: npmEnv, timeout: 20_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code?: number; stderr?: string }) => ({ code: error.code, stderr: error.stderr ?? '' }),
    );
    expect(refused.code).toBe(1);
    // npx may add its own `npm warn` lines; the mock says one thing.
    const said = refused.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm '));
    expect(said).toEqual(['imagegen-mock: Mock server config mock.json: apis.lumixai.keys: must be an array, got "notarray"']);
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
});
