import express from 'express';
import type { RequestHandler } from 'express';
import { describe, expect, it, vi } from 'vitest';

import { fixedJsonBody, useLeanJsonResponses } from '../src/core/json-response.js';
import { listen } from './listen.js';

/** Two apps with the same route: stock Express, and Express with the lean res.json. */
async function bothApps(handler: RequestHandler): Promise<{ stock: string; lean: string }> {
  const stock = express();
  const lean = express();
  useLeanJsonResponses(lean);
  for (const app of [stock, lean]) {
    app.set('etag', false);
    app.all('/', handler);
  }
  return { stock: (await listen(stock)).url, lean: (await listen(lean)).url };
}

async function observe(url: string, method: string) {
  const response = await fetch(url, { method });
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    contentLength: response.headers.get('content-length'),
    custom: response.headers.get('x-custom'),
    body: Buffer.from(await response.arrayBuffer()).toString('utf8'),
  };
}

/** A body serialized once (a model catalog's listing): nested, non-ASCII, with nulls and numbers. */
const FIXED = fixedJsonBody({ data: [{ slug: 'crème-東京', n: 1.5, tags: ['a', null], nested: { ok: true, empty: {} } }], total: 1 });

// Each row: what a handler does, and the method it is called with.
const cases: Array<[string, string, RequestHandler]> = [
  ['an object', 'GET', (_req, res) => void res.json({ data: [{ slug: 'a', n: 1, ok: true }] })],
  ['non-ASCII text (length in bytes)', 'GET', (_req, res) => void res.json({ prompt: 'crème brûlée, 東京, 🌅' })],
  ['a body over 1000 characters', 'GET', (_req, res) => void res.json({ text: 'x'.repeat(5000) })],
  ['an error status with headers set first', 'POST', (_req, res) => void res.status(429).set({ 'Retry-After': '7', 'X-Custom': 'kept' }).json({ error: { type: 'rate_limit_error' } })],
  ['a vendor media type', 'GET', (_req, res) => void res.type('application/problem+json').json({ title: 'x' })],
  ['a media type that already names its charset', 'GET', (_req, res) => void res.set('Content-Type', 'application/json; charset=utf-8').json([1, 2])],
  ['null', 'GET', (_req, res) => void res.json(null)],
  ['a bare string', 'GET', (_req, res) => void res.json('done')],
  ['undefined (an empty body)', 'GET', (_req, res) => void res.json(undefined)],
  ['HEAD (headers, no body)', 'HEAD', (_req, res) => void res.json({ data: [1, 2, 3] })],
  ['204 (no body, no content headers)', 'DELETE', (_req, res) => void res.status(204).json({ ignored: true })],
  ['a fixed body (fixedJsonBody)', 'GET', (_req, res) => void res.json(FIXED)],
  ['a fixed body to HEAD', 'HEAD', (_req, res) => void res.json(FIXED)],
];

describe('useLeanJsonResponses', () => {
  it.each(cases)('answers %s exactly as stock Express does', async (_name, method, handler) => {
    const { stock, lean } = await bothApps(handler);
    const expected = await observe(stock, method);
    expect(await observe(lean, method)).toEqual(expected);
  });

  it('sends a fixed body\'s text without serializing it again, and the body is a frozen copy', async () => {
    const original = { data: [{ slug: 'a', nested: { list: [1, 2] } }] };
    const fixed = fixedJsonBody(original);
    expect(fixed).toEqual(original);
    expect(fixed).not.toBe(original);
    expect(Object.isFrozen(original), 'the value given is left alone').toBe(false);
    expect([fixed, fixed.data, fixed.data[0], fixed.data[0]!.nested, fixed.data[0]!.nested.list].every((part) => Object.isFrozen(part)), 'frozen all the way down').toBe(true);
    const { lean } = await bothApps((_req, res) => void res.json(fixed));
    const stringify = vi.spyOn(JSON, 'stringify');
    const body = await (await fetch(lean)).text();
    const serialized = stringify.mock.calls.filter(([value]) => value === fixed).length;
    stringify.mockRestore();
    expect(serialized, 'the fixed body serialized again').toBe(0);
    expect(body).toBe(JSON.stringify(original));
  });

  it('changes only the app it is given', async () => {
    const lean = express();
    useLeanJsonResponses(lean);
    expect(lean.response.json).not.toBe(express().response.json);
    expect(express.response.json).toBe(express().response.json);
  });
});
