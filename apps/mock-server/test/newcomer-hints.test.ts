// Issue 18, "errors that say what to do", on the mock's side: a path no API is mounted at names the
// base URL probably meant; GET / and each docs page show the keys and a first request that works; a
// 401 names the keys the mock accepts (never a configured secret in full); JSON sent as a form
// says so; the request log gives a 4xx its reason, and each job's state changes get a line.
import { execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { LUMIXAI_DEV_KEYS, ManualClock, createMockServer, loadConfig, serve } from '../src/index.js';
import type { MockEvent, MockServerOptions, RunningMockServer } from '../src/index.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const running: RunningMockServer[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(options: MockServerOptions = {}) {
  const mock = createMockServer(options);
  const server = await serve(mock, { port: 0 });
  running.push(server);
  return { mock, server };
}

interface Listing {
  apis: Array<{ slug: string; baseUrl: string; keys: Array<{ key: string; description?: string; masked?: true }>; quickStart?: string }>;
}

describe('a path no API is mounted at', () => {
  it.each([
    { path: '/api/backend/v1/images/jobs', meant: 'lumixai', below: '/v1/images/jobs' },
    { path: '/api/backend/v1/models', meant: 'lumixai', below: '/v1/models' },
    { path: '/v1/generations', meant: 'luma-agents', below: '/generations' },
    { path: '/v1/images/generations/abc', meant: 'lumen', below: '/v1/images/generations/abc' },
    { path: '/api/v4/run', meant: 'lumozai', below: '/run' },
    { path: '/v1/luma/images', meant: 'useapi-luma', below: '/images' },
    { path: '/nothing/here', meant: undefined, below: undefined },
  ])('$path: names $meant', async ({ path, meant, below }) => {
    const { server } = await start();
    const response = await fetch(`${server.url}${path}`);
    const body = (await response.json()) as { error: string; didYouMean?: string };
    expect(response.status).toBe(404);
    expect(body.error).toMatch(new RegExp(`^No API is mounted at ${path}; GET / lists them`));
    if (meant === undefined) {
      expect(body).toEqual({ error: `No API is mounted at ${path}; GET / lists them` });
    } else {
      expect(body.didYouMean).toBe(`${server.baseUrl(meant)}${below}`);
      expect(body.error).toContain(`Did you mean ${server.baseUrl(meant)}${below}?`);
      expect(body.error).toContain(`base URL here is ${server.baseUrl(meant)}`);
    }
  });
});

describe('GET / and the docs pages show the keys and a first request', () => {
  it("runs each API's quick start as printed, with curl, to a 2xx", async () => {
    const { mock, server } = await start();
    const { apis } = (await (await fetch(`${server.url}/`)).json()) as Listing;
    expect(apis.map((api) => api.slug)).toEqual(mock.apis.map((api) => api.slug));
    for (const api of apis) {
      expect(api.keys.length, api.slug).toBeGreaterThan(0);
      expect(api.keys.every((shown) => shown.masked === undefined), `${api.slug}: dev keys are shown in full`).toBe(true);
      expect(api.quickStart, api.slug).toMatch(new RegExp(`^curl .*'${api.baseUrl}/`));
      const { stdout } = await run('bash', ['-c', `${api.quickStart} -o /dev/null --write-out '%{http_code}'`], { timeout: 15_000 });
      expect(stdout, `${api.slug}: ${api.quickStart}`).toMatch(/^2\d\d$/);
    }
    expect(mock.violations).toEqual([]);
  });

  it('masks every key but the built-in dev keys: a configured one, and one from $LUMIXAI_API_KEY', async () => {
    const config = loadConfig(undefined, {
      IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ apis: { lumixai: { keys: [{ key: 'air_live_team_secret_a', description: 'team A' }, LUMIXAI_DEV_KEYS[0]] } } }),
      LUMIXAI_API_KEY: 'air_live_personal_9f8e7d',
    });
    const { server } = await start(config);
    const { apis } = (await (await fetch(`${server.url}/`)).json()) as Listing;
    const lumixai = apis.find((api) => api.slug === 'lumixai')!;
    expect(lumixai.keys).toEqual([
      { key: 'air_…_a', description: 'team A', masked: true },
      { key: LUMIXAI_DEV_KEYS[0]!.key, ...(LUMIXAI_DEV_KEYS[0]!.description ? { description: LUMIXAI_DEV_KEYS[0]!.description } : {}) },
      { key: 'air_…7d', description: 'from $LUMIXAI_API_KEY', masked: true },
    ]);
    expect(lumixai.quickStart).toContain(`X-API-Key: ${LUMIXAI_DEV_KEYS[0]!.key}`);
    const docs = await (await fetch(`${server.url}/docs/lumixai`)).text();
    expect(docs).not.toContain('air_live_team_secret_a');
    expect(docs).not.toContain('air_live_personal_9f8e7d');
  });

  it('shows nothing of the mock for a proxied API: its keys go to the vendor', async () => {
    // Never contacted: nothing is sent to it in this test.
    const { server } = await start({ upstreams: { lumen: 'http://127.0.0.1:9' } });
    const { apis } = (await (await fetch(`${server.url}/`)).json()) as Listing;
    const lumen = apis.find((api) => api.slug === 'lumen')!;
    expect(lumen).not.toHaveProperty('keys');
    expect(lumen).not.toHaveProperty('quickStart');
    expect(apis.find((api) => api.slug === 'lumixai')!.keys.length).toBeGreaterThan(0);
    const html = await (await fetch(`${server.url}/docs/lumen`)).text();
    expect(html).toContain('const __redoc_definition = ');
    expect(html).not.toContain('Try it against this mock server');
  });

  it("adds a quick start to each API's docs page, after the API's own description", async () => {
    const { mock, server } = await start();
    const { apis } = (await (await fetch(`${server.url}/`)).json()) as Listing;
    for (const api of mock.apis) {
      const html = await (await fetch(`${server.url}${api.docsPath}`)).text();
      const definition = JSON.parse(/const __redoc_definition = (.*);\n/.exec(html)![1]!) as { info: { description: string } };
      const listed = apis.find((candidate) => candidate.slug === api.slug)!;
      const section = definition.info.description.slice(definition.info.description.indexOf('## Try it against this mock server'));
      expect(section, api.slug).toContain(`base URL \`${listed.baseUrl}\``);
      for (const shown of listed.keys) expect(section, api.slug).toContain(`| \`${shown.key}\` |`);
      expect(section, api.slug).toContain(['```sh', listed.quickStart, '```'].join('\n'));
      expect(definition.info.description.startsWith('## Try it'), `${api.slug} keeps its own description first`).toBe(false);
    }
  });
});

describe('a 401 names the keys the mock accepts', () => {
  it.each<{ name: string; headers: Record<string, string>; message: RegExp }>([
    { name: 'an unknown key', headers: { 'X-API-Key': 'air_live_guess' }, message: /^Invalid API key\. \[imagegen-mock\] keys accepted here: / },
    { name: 'no key', headers: {}, message: /^Missing API key: send it in the X-API-Key header\. \[imagegen-mock\] keys accepted here: / },
  ])('$name', async ({ headers, message }) => {
    const { server } = await start({ apis: { lumixai: { keys: [{ key: 'air_live_team_secret_a' }, LUMIXAI_DEV_KEYS[0]!] } } });
    const response = await fetch(`${server.baseUrl('lumixai')}/v1/images/jobs/x`, { headers });
    const { error } = (await response.json()) as { error: { type: string; message: string } };
    expect(response.status).toBe(401);
    expect(error.type).toBe('authentication_error');
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`air_…_a, ${LUMIXAI_DEV_KEYS[0]!.key} (GET / lists them)`);
    expect(error.message).not.toContain('air_live_team_secret_a');
  });
});

describe('JSON sent with a form Content-Type (curl -d)', () => {
  it('LumozAI names the Content-Type, not a field the body does hold', async () => {
    const { server } = await start();
    const response = await fetch(`${server.baseUrl('lumozai')}/run`, {
      method: 'POST',
      headers: { Authorization: 'Bearer lmz_mock_dev', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ model_id: 'hidream-l1', prompt: 'a lighthouse' }),
    });
    const body = (await response.json()) as { error: { code: string; message: string; details: Record<string, string[]> } };
    expect(response.status).toBe(422);
    expect(body.error.code).toBe('validation_error');
    expect(body.error.message).toBe(
      'The body is JSON but its Content-Type is application/x-www-form-urlencoded (what curl -d sends); send Content-Type: application/json',
    );
    expect(Object.keys(body.error.details)).toEqual(['Content-Type']);
  });
});

describe('the request log and the job log', () => {
  it('gives a 4xx its reason on its line, and each job state change one line, in order', async () => {
    const clock = new ManualClock(Date.UTC(2026, 4, 16));
    const lines: string[] = [];
    const events: MockEvent[] = [];
    const { server } = await start({ clock, timing: { queuedMs: 1000, runningMs: 29_000 }, log: (line) => lines.push(line), onEvent: (event) => events.push(event) });
    const base = server.baseUrl('lumixai');
    await fetch(`${base}/v1/images/jobs/x`, { headers: { 'X-API-Key': 'air_live_guess' } });
    const created = await fetch(`${base}/v1/images/jobs`, {
      method: 'POST',
      headers: { 'X-API-Key': LUMIXAI_DEV_KEYS[0]!.key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt: 'a lighthouse' }),
    });
    const { id } = (await created.json()) as { id: string };
    clock.advance(1000);
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(29_000);
    await new Promise((resolve) => setImmediate(resolve));
    await fetch(`${base}/v1/images/jobs/${id}`, { headers: { 'X-API-Key': LUMIXAI_DEV_KEYS[0]!.key } });

    expect(lines[0]).toMatch(/^GET \/lumixai\/api\/backend\/v1\/images\/jobs\/x 401 \d+\.\dms {2}authentication \(invalid key\): Invalid API key\. \[imagegen-mock\] keys accepted here: /);
    expect(lines.filter((line) => line.startsWith('lumixai job'))).toEqual([
      `lumixai job ${id}: created, pending`,
      `lumixai job ${id}: pending -> running`,
      `lumixai job ${id}: running -> done`,
    ]);
    expect(lines.at(-1)).toMatch(new RegExp(`^GET /lumixai/api/backend/v1/images/jobs/${id} 200 \\d+\\.\\dms$`));
    expect(events.flatMap((event) => (event.type === 'job' ? [[event.from, event.to, event.fromStatus, event.toStatus]] : []))).toEqual([
      [null, 'queued', null, 'pending'],
      ['queued', 'running', 'pending', 'running'],
      ['running', 'succeeded', 'running', 'done'],
    ]);
  });

  it('without log or onEvent (--quiet) reports nothing and waits on no extra timer', async () => {
    const job = JSON.stringify({ model: 'imagen-nano-banana-2-flash', prompt: 'a lighthouse' });
    const pendingAfterOneJob = async (options: MockServerOptions) => {
      const clock = new ManualClock();
      const { server } = await start({ clock, timing: { queuedMs: 1000, runningMs: 1000 }, ...options });
      const response = await fetch(`${server.baseUrl('lumixai')}/v1/images/jobs`, {
        method: 'POST',
        headers: { 'X-API-Key': LUMIXAI_DEV_KEYS[0]!.key, 'Content-Type': 'application/json' },
        body: job,
      });
      expect(response.status).toBe(202);
      return clock.pendingSleeps;
    };
    const lines: string[] = [];
    const logging = await pendingAfterOneJob({ log: (line) => lines.push(line) });
    // The wait for `running` is the log's only timer; the settle wait is the job's own (refunds).
    expect(await pendingAfterOneJob({})).toBe(logging - 1);
    expect(lines.some((line) => line.includes('created, pending'))).toBe(true);
  });
});

describe('the command line', () => {
  it('a port in use suggests --port 0', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const child = spawn(process.execPath, [cli, '--port', String(port), '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toBe(`imagegen-mock: port ${port} on 127.0.0.1 is already in use (another imagegen-mock?); pick another with --port <n>, or --port 0 for a free one\n`);
    } finally {
      blocker.close();
    }
  });

  it("reads a config's file settings from the config file's folder, and names a missing one by its absolute path", async () => {
    const folder = await mkdtemp(join(tmpdir(), 'imagegen-config-'));
    try {
      await mkdir(join(folder, 'catalogs'));
      await copyFile(fileURLToPath(new URL('../data/lumixai/models.json', import.meta.url)), join(folder, 'catalogs', 'models.json'));
      await writeFile(join(folder, 'mock.json'), JSON.stringify({ apis: { lumixai: { modelsFile: './catalogs/models.json' }, lumozai: { modelsFile: 'missing.json' } } }));
      // Another working directory: the paths are the config file's, not the shell's.
      const config = loadConfig(join(folder, 'mock.json'), {});
      expect((config.apis?.lumixai as { modelsFile: string }).modelsFile).toBe(join(folder, 'catalogs', 'models.json'));
      expect(() => createMockServer(config)).toThrow(join(folder, 'missing.json'));
      expect(() => loadConfig(join(folder, 'absent.json'), {})).toThrow(`Mock server config ${join(folder, 'absent.json')} cannot be read: no such file`);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
