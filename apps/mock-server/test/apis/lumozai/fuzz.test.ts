// Bad input as a stranger sends it, many times over: bodies built from the spec's fields with wrong
// types, odd text, missing and unknown fields, in every media type (and some others), with good,
// bad and no keys. Every answer must be documented, in the envelope, with the rate-limit headers,
// and never a 5xx. Bounded in count and in time; seeded, so a failure repeats.
import { describe, expect, it } from 'vitest';

import { loadSpec } from '../../../src/index.js';
import { HIDREAM_FORM, LUMOZ_KEY, startLumozAI } from './harness.js';
import { random } from '../../seeded-random.js';

const MAX_REQUESTS = 600;
const MAX_MS = 20_000;

const doc = loadSpec('lumozai');
const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas;
/** The fields the spec names for each operation, so the fuzz follows the spec as it changes. */
const FIELDS = { '/run': Object.keys(schemas.RunRequest!.properties), '/check': Object.keys(schemas.CheckRequest!.properties) };
const ODD_VALUES: unknown[] = [
  '', ' ', '0', '-1', '1e309', 'NaN', '7.5', '30', '212121212121212', '9007199254740993', 'hidream-l1', 'true',
  'ünïcødé ✓', '<script>', '%00', 'a'.repeat(5000), '__proto__', 'https://example.org/hook', 'http://127.0.0.1:1/hook',
  0, -1, 7.5, 2 ** 53, 1e308, true, null, [], ['a', 'b'], { nested: 1 },
];
const EXTRA_FIELDS = ['seed', '__proto__', 'constructor', 'toString', 'model_id[]', 'prompt[x]', ''];
const KEYS = [LUMOZ_KEY, LUMOZ_KEY, LUMOZ_KEY, 'lmz_mock_no_models', 'lmz_mock_revoked', 'lmz_unknown', null];

type Encoding = 'form' | 'multipart' | 'json' | 'text' | 'none';
const ENCODINGS: Encoding[] = ['form', 'form', 'multipart', 'json', 'json', 'text', 'none'];

describe('LumozAI under a seeded fuzz of every operation and media type', () => {
  it(`answers ${MAX_REQUESTS} bad requests (or ${MAX_MS / 1000} s worth) with documented statuses, never a 5xx`, async () => {
    const h = await startLumozAI({ apis: { lumozai: { unauthenticatedRequestsPerHour: 100_000 } } });
    const knownId = await h.runId();
    const next = random(20260516);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const documented = {
      '/run': Object.keys((doc.paths['/run']!.post as { responses: object }).responses).map(Number),
      '/check': Object.keys((doc.paths['/check']!.post as { responses: object }).responses).map(Number),
    };
    const seen = new Map<number, number>();
    const started = Date.now();
    let sent = 0;
    for (; sent < MAX_REQUESTS && Date.now() - started < MAX_MS; sent++) {
      const path = pick(['/run', '/check'] as const);
      // Each field mostly keeps the documented example's value, else gets an odd one or goes missing.
      const example: Record<string, unknown> = path === '/run' ? { ...HIDREAM_FORM, webhook: undefined } : { request_id: knownId };
      const fields: Record<string, unknown> = {};
      for (const field of FIELDS[path]) {
        const roll = next();
        const value = roll < 0.8 ? example[field] : roll < 0.95 ? pick(ODD_VALUES) : undefined;
        if (value !== undefined) fields[field] = value;
      }
      if (next() < 0.15) fields[pick(EXTRA_FIELDS)] = pick(ODD_VALUES);
      const encoding = pick(ENCODINGS);
      const key = pick(KEYS);
      const headers: Record<string, string> = { Accept: 'application/json', ...(key === null ? {} : { Authorization: `Bearer ${key}` }) };
      let body: BodyInit | undefined;
      const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');
      if (encoding === 'form') body = new URLSearchParams(Object.entries(fields).map(([name, value]) => [name, text(value)]));
      if (encoding === 'multipart') {
        const form = new FormData();
        for (const [name, value] of Object.entries(fields)) form.append(name, next() < 0.1 ? new Blob([text(value)], { type: 'image/png' }) : text(value));
        body = form;
      }
      if (encoding === 'json') {
        headers['Content-Type'] = 'application/json';
        body = next() < 0.1 ? '{"model_id": "hidream-l1",' : JSON.stringify(fields);
      }
      if (encoding === 'text') {
        headers['Content-Type'] = pick(['text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded; charset=utf-16']);
        body = text(fields);
      }
      const response = await fetch(`${h.api}${path}`, { method: 'POST', headers, body });
      const raw = await response.text();
      const context = `${path} ${encoding} key=${key} ${JSON.stringify(fields).slice(0, 300)} -> ${response.status} ${raw.slice(0, 300)}`;
      expect(response.status, context).toBeLessThan(500);
      expect(documented[path], context).toContain(response.status);
      for (const header of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset']) expect(response.headers.get(header), context).toMatch(/^\d+$/);
      const answer = JSON.parse(raw) as { success: boolean; error?: { code: string; details?: Record<string, string[]> } };
      if (response.status >= 400) {
        expect(answer, context).toMatchObject({ success: false, error: { code: expect.any(String), message: expect.any(String) } });
        if (answer.error!.code === 'validation_error') {
          for (const messages of Object.values(answer.error!.details!)) expect(messages.length, context).toBeGreaterThan(0);
        }
      }
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
    }
    expect(h.mock.violations).toEqual([]);
    // The fuzz reached more than the error paths: some runs and checks went through.
    expect([...seen.keys()].sort()).toEqual(expect.arrayContaining([200, 401, 403, 404, 422]));
    expect(sent).toBeGreaterThan(100);
  }, 60_000);
});
