// Issue 14's measure of the vendor boundary: a sixth API, written as a vendor folder
// (test/sixth-api/: spec, descriptor, behaviour, errors), joins the mock through one registry
// entry and gets everything else from core: routing, auth with its own typed key fields, its
// hourly limit, billing with refunds, Prefer, its callback checked against its spec, reset,
// close, mock.state, GET /, and the shared lists that are found rather than typed.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import express from 'express';
import { describe, expect, it } from 'vitest';

import { APIS } from '../src/index.js';
import { startMock } from './harness.js';
import { listen } from './listen.js';
import { toy } from './sixth-api/index.js';

const FOLDER = fileURLToPath(new URL('./sixth-api/', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

async function startToy() {
  // The one registry entry: `APIS` plus the toy.
  const h = await startMock({ registry: [...APIS, toy], timing: { queuedMs: 1_000, runningMs: 4_000 } });
  const base = h.running.baseUrl('toy');
  const call = (path: string, init: RequestInit & { json?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method: init.json === undefined ? 'GET' : 'POST',
      ...init,
      headers: { authorization: 'Bearer toy-dev', ...(init.json === undefined ? {} : { 'content-type': 'application/json' }), ...(init.headers as Record<string, string>) },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
  return { h, base, call };
}

async function receiver() {
  const hits: unknown[] = [];
  const app = express();
  app.post('/done', express.json(), (req, res) => {
    hits.push(req.body);
    res.status(204).end();
  });
  return { url: `${(await listen(app)).url}/done`, hits };
}

describe('a sixth API added through the registry alone', () => {
  it('is mounted at /<slug> + its base path and listed by GET /', async () => {
    const { h, base } = await startToy();
    expect(base).toBe(`${h.running.url}/toy/v2`);
    const listed = (await (await fetch(`${h.running.url}/`)).json()) as { apis: Array<{ slug: string; title: string }> };
    expect(listed.apis.map((api) => api.slug)).toEqual([...APIS.map((api) => api.slug), 'toy']);
    expect(listed.apis.at(-1)?.title).toBe('Toy Image API');
  });

  it('runs a job to its callback, billed and limited by its own rules, in its own error format', async () => {
    const { h, call } = await startToy();
    const hook = await receiver();
    const created = await call('/jobs', { json: { prompt: 'a red cube', callback_url: hook.url } });
    expect(created.status).toBe(202);
    expect(created.headers.get('x-toy-remaining')).toBe('2');
    const { id } = (await created.json()) as { id: string };
    expect(h.mock.state('toy')).toMatchObject({ jobs: [{ id, owner: 'ws_toy', phase: 'queued', charged: 1 }], balances: { ws_toy: 1 } });

    h.clock.advance(5_000);
    const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'toy');
    expect(delivery.status).toBe('delivered');
    expect(hook.hits).toEqual([{ id, state: 'ready', image_url: `${h.running.url}/toy/files/${id}.png` }]);
    const file = await fetch(`${h.running.url}/toy/files/${id}.png`);
    expect([file.status, await file.text()]).toEqual([200, 'png of a red cube']);

    const failed = await call('/jobs', { json: { prompt: 'x' }, headers: { prefer: 'job-status=broken' } });
    expect(failed.status).toBe(202);
    const broke = await call('/jobs', { json: { prompt: 'y' } });
    expect([broke.status, await broke.json()]).toEqual([402, { error: { kind: 'insufficient_credits', message: 'no credits left' } }]);
    h.clock.advance(5_000);
    await expect.poll(() => h.mock.state('toy').balances.ws_toy).toBe(1); // the broken job's credit came back
    expect((await call('/jobs', { json: { prompt: 'z' } })).status).toBe(429);
    expect((await call('/jobs', { json: { prompt: 'z'.repeat(101) }, headers: { authorization: 'Bearer nobody' } })).status).toBe(401);
    expect(h.mock.violations).toEqual([]);

    h.mock.reset();
    expect(h.mock.state('toy')).toEqual({ jobs: [], balances: { ws_toy: 2 } });
  });

  it('sends no callback after close()', async () => {
    const { h, call } = await startToy();
    const hook = await receiver();
    await call('/jobs', { json: { prompt: 'late', callback_url: hook.url } });
    await h.running.close();
    expect(h.clock.pendingSleeps).toBe(0);
    h.clock.advance(5_000);
    await new Promise((done) => setTimeout(done, 50));
    expect(hook.hits).toEqual([]);
  });

  it('needs nothing outside its folder but core (and the registry entry this file is)', () => {
    const outside = new Set<string>();
    for (const name of readdirSync(FOLDER).filter((file) => file.endsWith('.ts'))) {
      const text = readFileSync(join(FOLDER, name), 'utf8');
      for (const [, specifier] of text.matchAll(/from '(\.[^']+)'/g)) {
        const target = resolve(dirname(join(FOLDER, name)), specifier!);
        if (!target.startsWith(FOLDER)) outside.add(relative(SRC, target));
      }
    }
    expect([...outside].filter((path) => !path.startsWith('core/'))).toEqual([]);
  });
});
