import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

import express from 'express';
import type { Express } from 'express';
import { describe, expect, it } from 'vitest';

import { createHttpServer, createMockServer } from '../src/index.js';
import { listen } from './listen.js';

/** Prototypes of req and res as the server hands them over, before Express's init middleware runs. */
async function prototypesOnArrival(app: Express, server: Server): Promise<{ req: object | null; res: object | null }> {
  let seen: { req: object | null; res: object | null } | undefined;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    seen = { req: Object.getPrototypeOf(req) as object | null, res: Object.getPrototypeOf(res) as object | null };
  });
  const { url } = await listen(app, server);
  await (await fetch(`${url}/`)).arrayBuffer();
  if (!seen) throw new Error('no request reached the server');
  return seen;
}

describe('createHttpServer', () => {
  it("creates req and res with the app's own prototypes, so Express never has to swap them", async () => {
    const app = express();
    app.get('/', (_req, res) => void res.send('ok'));
    expect(await prototypesOnArrival(app, createHttpServer(app))).toEqual({ req: app.request, res: app.response });
    // Control: a plain server hands Express Node's prototypes, which its init middleware then replaces.
    const plain = await prototypesOnArrival(app, createServer(app));
    expect(plain.req).not.toBe(app.request);
    expect(plain.res).not.toBe(app.response);
  });

  it("serves the mock's APIs and docs like a plain server", async () => {
    const mock = createMockServer();
    const { url } = await listen(mock.app);
    const models = await fetch(`${url}/lumixai/api/backend/v1/models`);
    expect(models.status).toBe(200);
    expect(((await models.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const unauthenticated = await fetch(`${url}/lumixai/api/backend/v1/images/jobs/x`);
    expect(unauthenticated.status).toBe(401);
    expect(await unauthenticated.json()).toMatchObject({ error: { type: 'authentication_error' } });
    expect((await fetch(`${url}/docs/lumixai`)).headers.get('content-type')).toMatch(/text\/html/);
    expect(mock.violations).toEqual([]);
  });

  it('builds responses V8 keeps as fast objects through a whole request, as Node builds its own', async () => {
    // V8's own check, in a fresh node that allows it, on the built package (what the CLI runs).
    const script = `
      import * as mock from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      import { createServer } from 'node:http';
      const server = mock.createMockServer();
      const seen = [];
      const json = server.app.response.json;
      server.app.response.json = function (body) { seen.push(%HasFastProperties(this)); return json.call(this, body); };
      const running = await mock.serve(server, { port: 0 });
      for (let i = 0; i < 20; i++) await (await fetch(running.baseUrl('lumixai') + '/v1/models')).arrayBuffer();
      await running.close();
      const plain = await new Promise((resolve) => {
        const node = createServer((req, res) => { res.end(); node.close(); resolve(%HasFastProperties(res)); }).listen(0, '127.0.0.1', () => fetch('http://127.0.0.1:' + node.address().port + '/'));
      });
      console.log(JSON.stringify({ seen, plain }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { timeout: 30_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
    const { seen, plain } = JSON.parse(stdout) as { seen: boolean[]; plain: boolean };
    expect(plain, "Node's own response").toBe(true);
    expect(seen, 'each response, when the handler answers').toEqual(Array.from({ length: 20 }, () => true));
  });

  it('gives req and res, when it makes them, every field the pipeline fills, so neither changes shape while served', async () => {
    const mock = createMockServer();
    const server = createHttpServer(mock.app);
    const added = new Map<string, string[]>();
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      const before = { req: Reflect.ownKeys(req), res: Reflect.ownKeys(res) };
      res.on('close', () => {
        const grown = (object: object, keys: (string | symbol)[], name: string) =>
          Reflect.ownKeys(object)
            .filter((key) => !keys.includes(key))
            .map((key) => `${name}.${String(key)}`);
        // express-openapi-validator wraps `res.json` on each response it validates: the one field left.
        const fields = [...grown(req, before.req, 'req'), ...grown(res, before.res, 'res')].filter((field) => field !== 'res.json');
        added.set(`${req.method} ${req.url} ${res.statusCode}`, fields);
      });
    });
    const { url } = await listen(mock.app, server);
    const lumen = { authorization: 'Bearer sk-lumen-mock-dev', 'content-type': 'application/json' };
    const task = (await (
      await fetch(`${url}/lumen/v1/images/generations`, { method: 'POST', headers: lumen, body: JSON.stringify({ model: 'gpt-image-2-low', prompt: 'a cat', size: '1024x1024', n: 1 }) })
    ).json()) as { id: string };
    const requests: Array<[string, RequestInit?]> = [
      [`${url}/lumixai/api/backend/v1/models`],
      [`${url}/lumen/v1/images/generations/${task.id}`, { headers: lumen }],
      [`${url}/lumen/v1/images/generations/${task.id}?unknown=1`, { headers: lumen }],
      [`${url}/lumen/v1/images/generations/${task.id}`],
      [`${url}/lumixai/api/backend/v1/images/jobs/not-a-job`, { headers: { 'x-api-key': 'air_live_mock_dev' } }],
      [`${url}/luma-agents/v1/generations/nope`, { headers: { authorization: 'Bearer luma-api-mock-dev' } }],
    ];
    for (const [target, init] of requests) await (await fetch(target, init)).arrayBuffer();
    await new Promise((resolve) => setImmediate(resolve));
    expect(added.size).toBe(requests.length + 1);
    expect([...added].filter(([, fields]) => fields.length > 0)).toEqual([]);
  });
});
