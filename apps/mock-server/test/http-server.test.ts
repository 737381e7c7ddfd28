import { createServer } from 'node:http';
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
});
