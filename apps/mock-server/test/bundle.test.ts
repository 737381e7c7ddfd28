// The built package (dist/index.js, dist/cli.js) is one bundle with its dependencies inside
// (scripts/bundle.mjs), because loading them file by file was half of the mock's start-up. What
// must hold: it serves and validates like the sources do, it loads none of the bundled packages
// from node_modules (the validator patches reach the bundled copies, not installed ones), and its
// stack traces map back to src/.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const entry = new URL('../dist/index.js', import.meta.url).href;

/** Runs an ES module in a fresh node that imports the built entry as `mock`; returns what it printed as JSON. */
async function inFreshNode<T>(body: string, flags: string[] = []): Promise<T> {
  const script = `import * as mock from ${JSON.stringify(entry)};\nimport { createRequire } from 'node:module';\n${body}`;
  const { stdout } = await run(process.execPath, [...flags, '--input-type=module', '-e', script], { timeout: 30_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return JSON.parse(stdout) as T;
}

describe('the bundled build', () => {
  it('validates requests and answers like the sources, loading no bundled package from node_modules', async () => {
    const result = await inFreshNode<{ models: number; invalid: { status: number; body: { error?: { type?: string; message?: string } } }; loaded: string[] }>(`
      const running = await mock.serve(mock.createMockServer(), { port: 0 });
      const base = running.baseUrl('lumixai');
      const models = (await fetch(base + '/v1/models')).status;
      const response = await fetch(base + '/v1/images/jobs', { method: 'POST', headers: { 'x-api-key': 'air_live_mock_dev', 'content-type': 'application/json' }, body: JSON.stringify({ model: 'imagen-nano-banana-2-flash' }) });
      const invalid = { status: response.status, body: await response.json() };
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((file) => file.includes('node_modules'));
      await running.close();
      console.log(JSON.stringify({ models, invalid, loaded }));
    `);
    expect(result.models).toBe(200);
    expect(result.invalid.status).toBe(400);
    expect(result.invalid.body.error?.type).toBe('validation_error');
    expect(result.invalid.body.error?.message).toMatch(/prompt/);
    expect(result.loaded, 'modules the bundle should carry were loaded from node_modules').toEqual([]);
  });

  it("maps a stack trace from inside the bundle to the module's source in src/", async () => {
    const { stack } = await inFreshNode<{ stack: string }>(
      `
      let stack = '';
      try { mock.createMockServer({ bodyLimit: 'lots' }); } catch (error) { stack = error.stack; }
      console.log(JSON.stringify({ stack }));
    `,
      ['--enable-source-maps'],
    );
    expect(stack).toMatch(/bodyLimit must look like '25mb'/);
    expect(stack).toMatch(/src\/core\/pipeline\/body\.ts:\d+/);
  });
});
