import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { API_SLUGS, loadConfig } from '../src/index.js';
import { startMock, validJob } from './harness.js';

describe('the server around the APIs', () => {
  it('lists every mounted API with its base URL and docs URL at GET /', async () => {
    const h = await startMock();
    const body = (await (await fetch(`${h.running.url}/`)).json()) as { apis: Array<Record<string, string>>; docsUrl: string };
    expect(body.apis.map((api) => api.slug)).toEqual([...API_SLUGS]);
    // Keys and the quick start are newcomer-hints.test.ts's.
    const listed = body.apis.map(({ slug, title, baseUrl, docsUrl }) => ({ slug, title, baseUrl, docsUrl }));
    expect(listed).toContainEqual({ slug: 'lumixai', title: 'LumixAI Image API', baseUrl: `${h.running.url}/lumixai/api/backend`, docsUrl: `${h.running.url}/docs/lumixai` });
    // A spec served at its host's root (Lumen's https://lumen.mengfanlab.top) lives at the bare slug.
    expect(listed).toContainEqual({ slug: 'lumen', title: 'Lumen Image API', baseUrl: `${h.running.url}/lumen`, docsUrl: `${h.running.url}/docs/lumen` });
    expect(body.docsUrl).toBe(`${h.running.url}/docs`);
  });

  it('serves the rendered docs at /docs and /docs/<slug>, and says how to build them when missing', async () => {
    const docsDir = await mkdtemp(join(tmpdir(), 'docs-'));
    try {
      await writeFile(join(docsDir, 'index.html'), '<title>index</title>');
      await writeFile(join(docsDir, 'lumixai.html'), '<title>lumixai</title>');
      const h = await startMock({ docsDir });
      for (const [path, text] of [['/docs', 'index'], ['/docs/', 'index'], ['/docs/lumixai', 'lumixai']] as const) {
        const response = await fetch(`${h.running.url}${path}`);
        expect(response.headers.get('content-type')).toMatch(/text\/html/);
        expect(await response.text()).toContain(text);
      }
      const missing = await startMock({ docsDir: join(docsDir, 'nothing-here') });
      const response = await fetch(`${missing.running.url}/docs/lumixai`);
      expect(response.status).toBe(503);
      expect(await response.text()).toMatch(/pnpm build/);
    } finally {
      await rm(docsDir, { recursive: true, force: true });
    }
  });

  it('serves the Redoc pages built by apps/docs by default', async () => {
    const h = await startMock();
    const manifest = createRequire(import.meta.url).resolve('@imagegen/docs/dist/manifest.json');
    const built = await readFile(join(dirname(manifest), 'lumixai.html'), 'utf8');
    const served = await fetch(`${h.running.url}/docs/lumixai`);
    expect(served.status).toBe(200);
    // Up to the spec it carries, whose servers the mock extends (test/docs-page.test.ts).
    expect(await served.text()).toContain(built.slice(0, built.indexOf('const __redoc_definition')));
    expect(await (await fetch(`${h.running.url}/docs`)).text()).toContain('/docs/lumixai');
  });

  it('leaves an API out when its config is false', async () => {
    const h = await startMock({ apis: { lumixai: false } });
    expect(h.mock.apis.map((api) => api.slug)).toEqual(API_SLUGS.filter((slug) => slug !== 'lumixai'));
    expect((await fetch(`${h.running.url}/lumixai/api/backend/v1/models`)).status).toBe(404);
  });

  it('reset() forgets jobs and spent credits', async () => {
    const h = await startMock({ apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } } });
    const { id } = (await (await h.call('/v1/images/jobs', { key: 'k', json: validJob })).json()) as { id: string };
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(402);
    h.mock.reset();
    expect((await h.call(`/v1/images/jobs/${id}`, { key: 'k' })).status).toBe(404);
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
  });

  it('reset() cancels the settle timers of old jobs: a failed job never refunds into the fresh ledger', async () => {
    const h = await startMock({
      timing: { queuedMs: 0, runningMs: 1000 },
      apis: { lumixai: { keys: [{ key: 'k' }], workspaces: [{ id: 'k', credits: 5_000_000 }] } },
    });
    const failing = await h.call('/v1/images/jobs', { key: 'k', json: validJob, headers: { Prefer: 'job-status=error' } });
    expect(failing.status).toBe(202);
    h.mock.reset();
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(202);
    h.clock.advance(1000); // the old job's settle time: before the fix it refunded 5,000,000 here
    await new Promise((resolve) => setImmediate(resolve));
    expect((await h.call('/v1/images/jobs', { key: 'k', json: validJob })).status).toBe(402);
  });

  it.each([
    { name: 'the listening address, whatever Host the client sends', publicUrl: undefined, host: 'evil"x', expected: (url: string) => url },
    { name: 'the configured public URL', publicUrl: 'https://mock.internal:8443/', host: 'evil"x', expected: () => 'https://mock.internal:8443' },
  ])("GET / gives base URLs at $name", async ({ publicUrl, host, expected }) => {
    const h = await startMock({ publicUrl });
    const { request } = await import('node:http');
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${h.running.url}/`, { headers: { Host: host } }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    const { apis } = JSON.parse(body) as { apis: Array<{ baseUrl: string }> };
    expect(apis[0]?.baseUrl).toBe(`${expected(h.running.url)}/lumixai/api/backend`);
  });

  it('lists webhook deliveries at /_mock/webhooks, and reset() forgets them', async () => {
    const h = await startMock();
    const refused = h.mock.webhooks.deliver({ api: 'lumixai', url: 'http://169.254.169.254/latest', payload: { id: 'x' } });
    expect(refused.status).toBe('refused');
    const listed = (await (await fetch(`${h.running.url}/_mock/webhooks`)).json()) as { deliveries: Array<{ id: string; status: string }> };
    expect(listed.deliveries).toEqual([expect.objectContaining({ id: refused.id, status: 'refused' })]);
    h.mock.reset();
    expect(((await (await fetch(`${h.running.url}/_mock/webhooks`)).json()) as { deliveries: unknown[] }).deliveries).toEqual([]);
  });

  it('answers /_mock/webhooks?api= naming an API that is not mounted with 400 and the mounted slugs (issue 15 row 12)', async () => {
    const h = await startMock({ apis: { lumen: false } });
    for (const api of ['nope', 'lumen', 'LUMIXAI']) {
      const response = await fetch(`${h.running.url}/_mock/webhooks?api=${api}`);
      expect(response.status, api).toBe(400);
      const mounted = API_SLUGS.filter((slug) => slug !== 'lumen');
      expect(await response.json()).toEqual({ error: `api must be one of ${mounted.join(', ')}, got "${api}"` });
    }
    expect((await fetch(`${h.running.url}/_mock/webhooks?api=lumozai`)).status).toBe(200);
  });

  it('logs one line per request when given a logger', async () => {
    const lines: string[] = [];
    const h = await startMock({ log: (line) => lines.push(line) });
    await (await h.call('/v1/models')).arrayBuffer();
    await expect.poll(() => lines).toEqual([expect.stringMatching(/^GET \/lumixai\/api\/backend\/v1\/models 200 \d+\.\dms$/)]);
  });
});

describe('loadConfig', () => {
  it('reads a config file, inline JSON, and adds the documented key variable', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    try {
      const file = join(dir, 'mock.json');
      await writeFile(file, JSON.stringify({ timing: 'realistic', apis: { lumixai: { keys: [{ key: 'from-file', rpm: 5 }] } } }));
      expect(loadConfig(file, {})).toEqual({ timing: 'realistic', apis: { lumixai: { keys: [{ key: 'from-file', rpm: 5 }] } } });
      expect(loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG: file }).timing).toBe('realistic');
      expect(loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: '{"timing":"instant"}' }).timing).toBe('instant');
      const withEnvKey = loadConfig(file, { LUMIXAI_API_KEY: 'air_live_mine' });
      expect(withEnvKey.apis?.lumixai).toMatchObject({ keys: [{ key: 'from-file' }, { key: 'air_live_mine' }] });
      const devPlusEnv = loadConfig(undefined, { LUMIXAI_API_KEY: 'air_live_mine' });
      expect(devPlusEnv.apis?.lumixai && devPlusEnv.apis.lumixai.keys?.map((k) => k.key)).toContain('air_live_mock_dev');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[]', /must be a JSON object/],
    ['{"apis":{"nope":{}}}', /unknown APIs: nope; known: lumixai/],
  ])('rejects %s clearly', (text, message) => {
    expect(() => loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: text })).toThrow(message);
  });
});

describe('the CLI', () => {
  it('starts on the given port, prints base URLs, docs and dev keys, and serves', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--port', '0', '--timing', 'instant'], {
      env: { ...process.env, LUMIXAI_API_KEY: 'air_live_from_env' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await expect.poll(() => output, { timeout: 15_000 }).toMatch(/key: {6}air_live_from_env/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      expect(output).toMatch(/base URL: http:\/\/127\.0\.0\.1:\d+\/lumixai\/api\/backend/);
      expect(output).toMatch(/docs: {5}http:\/\/127\.0\.0\.1:\d+\/docs\/lumixai/);
      expect(output).toMatch(/air_live_mock_dev/);
      const response = await fetch(`${url}/lumixai/api/backend/v1/images/jobs`, {
        method: 'POST',
        headers: { 'X-API-Key': 'air_live_from_env', 'Content-Type': 'application/json' },
        body: JSON.stringify(validJob),
      });
      expect(response.status).toBe(202);
      await expect.poll(() => output).toMatch(/POST \/lumixai\/api\/backend\/v1\/images\/jobs 202/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a bad flag with a clear message and exit code 1', async () => {
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, '--timing', 'sometimes'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/--timing must be instant or realistic/);
  });
});
