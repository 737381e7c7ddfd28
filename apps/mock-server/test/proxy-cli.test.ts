// `imagegen-mock proxy` from the command line: --upstream to a loopback upstream that drifts, the
// drift served at /_mock/drift while it runs and written to --drift-file when it stops.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, output, exited };
}

/** A loopback upstream whose every answer is a model list with one field the spec lacks. */
async function surprisingUpstream(): Promise<string> {
  const upstream = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [], surprise: true }));
  });
  await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
  cleanups.push(() => new Promise<void>((done) => upstream.close(() => done())));
  return `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
}

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'imagegen-proxy-'));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

describe('imagegen-mock proxy', () => {
  it('forwards to --upstream, serves the drift, logs it and writes it to --drift-file at exit', async () => {
    const upstreamUrl = await surprisingUpstream();
    const folder = temporaryFolder();
    const driftFile = join(folder, 'drift.json');

    const { child, output, exited } = start(['proxy', '--upstream', `lumixai=${upstreamUrl}`, '--drift-file', driftFile]);
    await expect.poll(() => output.stdout, { timeout: 15_000 }).toMatch(/listening on http/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)![1]!;
    expect(output.stdout).toContain(`proxied to ${upstreamUrl}`);

    const models = await fetch(`${url}/lumixai/api/backend/v1/models`);
    expect(await models.json()).toMatchObject({ surprise: true });
    const served = (await (await fetch(`${url}/_mock/drift`)).json()) as { drift: Array<{ kind: string; pointer: string }> };
    expect(served.drift.map(({ kind, pointer }) => `${kind} ${pointer}`)).toContain('extra-field /surprise');
    await expect.poll(() => output.stdout).toMatch(/drift lumixai listModels 200 extra-field \/surprise/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const written = JSON.parse(readFileSync(driftFile, 'utf8')) as { drift: unknown[] };
    expect(written.drift).toEqual(served.drift);
  });

  it('takes upstreams, record and driftFile from the config file, paths read from its folder like modelsFile', async () => {
    const upstreamUrl = await surprisingUpstream();
    const folder = temporaryFolder();
    writeFileSync(join(folder, 'proxy.json'), JSON.stringify({ upstreams: { lumixai: upstreamUrl }, record: 'recordings', driftFile: 'drift.json' }));

    const { child, output, exited } = start(['proxy', '--config', join(folder, 'proxy.json')]);
    await expect.poll(() => output.stdout, { timeout: 15_000 }).toMatch(/listening on http/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output.stdout)![1]!;
    expect(output.stdout).toContain(`proxied to ${upstreamUrl}`);
    expect(output.stdout).toContain(`drift report written to ${join(folder, 'drift.json')} at exit; exchanges recorded to ${join(folder, 'recordings', 'imagegen-proxy-')}`);
    await fetch(`${url}/lumixai/api/backend/v1/models`);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((JSON.parse(readFileSync(join(folder, 'drift.json'), 'utf8')) as { drift: Array<{ pointer: string }> }).drift.map((entry) => entry.pointer)).toContain('/surprise');
    const [har] = readdirSync(join(folder, 'recordings'));
    expect((JSON.parse(readFileSync(join(folder, 'recordings', har!), 'utf8')) as { log: { entries: unknown[] } }).log.entries).toHaveLength(1);
  });

  it.each([
    { args: ['proxy'], error: 'proxy mode needs at least one --upstream <slug>=<url>' },
    { args: ['--upstream', 'nope=http://127.0.0.1:1'], error: "--upstream must be <slug>=<url> with a slug of lumixai" },
    { args: ['--upstream', 'lumixai=ftp://127.0.0.1/'], error: "upstream of lumixai must be an http(s) URL, got 'ftp://127.0.0.1/'" },
    { args: ['proxy', 'serve'], error: "Unexpected argument 'serve'" },
  ])('refuses $args with one line', async ({ args, error }) => {
    const { output, exited } = start(args);
    expect(await exited).toBe(1);
    expect(output.stderr).toContain(`imagegen-mock: ${error}`);
  });
});
