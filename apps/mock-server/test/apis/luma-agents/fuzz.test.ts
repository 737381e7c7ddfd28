// Bad input as a stranger sends it, many times over: bodies built from the spec's fields and
// examples with wrong types, odd text, broken images, missing and unknown fields, with good, bad
// and no keys, plus odd ids and output URLs. Every answer must be a documented status with Luma's
// `{ detail }` body, never a 5xx. Bounded in count and in time; seeded, so a failure repeats.
import { describe, expect, it } from 'vitest';

import { deref, loadSpec } from '../../../src/index.js';
import { KEYS, TINY_PNG_BASE64, requestExamples, startLuma } from './support.js';
import { random } from '../../seeded-random.js';

const MAX_REQUESTS = 800;
const MAX_MS = 20_000;

const doc = loadSpec('luma-agents');
const requestSchema = deref<{ content: Record<string, { schema: unknown }> }>(doc, doc.components!.requestBodies!.GenerationCreateRequest).content['application/json']!.schema;
/** The fields the spec names, so the fuzz follows the spec as it changes. */
const FIELDS = Object.keys(deref<{ properties: Record<string, unknown> }>(doc, requestSchema).properties);
const IMAGES: unknown[] = [
  { url: 'https://example.org/a.jpg' },
  { data: TINY_PNG_BASE64, media_type: 'image/png' },
  { data: TINY_PNG_BASE64 },
  { data: 'AAAA', media_type: 'image/png' },
  { data: `data:image/png;base64,${TINY_PNG_BASE64}`, media_type: 'image/png' },
  { url: 'https://example.org/a.jpg', data: TINY_PNG_BASE64, media_type: 'image/png' },
  { url: 'ftp://example.org/a.jpg' },
  { url: 5 },
  {},
  { media_type: 'image/png', extra: true },
];
const ODD_VALUES: unknown[] = [
  '', ' ', 'x', 'uni-1', 'uni-1-max', 'image_edit', '16:9', '5:4', 'png', 'jpeg', 'webp', 'manga', 'ünïcødé ✓', '<script>', '%00',
  'a'.repeat(7000), '__proto__', 0, -1, 1.5, 2 ** 53, 1e308, true, null, [], ...IMAGES, IMAGES, Array.from({ length: 10 }, () => IMAGES[0]),
];
const EXTRA_FIELDS = ['seed', 'n', '__proto__', 'constructor', 'toString', ''];
const KEYS_TO_TRY = [KEYS.dev, KEYS.dev, KEYS.dev, KEYS.noBalance, KEYS.suspended, 'luma-api-unknown', null];

describe('Luma Agents under a seeded fuzz of both operations and the output URLs', () => {
  it(`answers ${MAX_REQUESTS} odd requests (or ${MAX_MS / 1000} s worth) with documented statuses, never a 5xx`, async () => {
    const h = await startLuma({ timing: { queuedMs: 0, runningMs: 1000 } });
    const known = await h.create();
    h.clock.advance(1000);
    const knownUrl = (await h.poll(known.id)).output![0]!.url;
    const examples = Object.values(requestExamples());
    const next = random(20260516);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const documented = Object.fromEntries(
      Object.entries(doc.paths).flatMap(([, item]) => Object.values(item).map((operation) => {
        const { operationId, responses } = operation as { operationId: string; responses: object };
        return [operationId, Object.keys(responses).map(Number)];
      })),
    ) as Record<'createGeneration' | 'getGeneration', number[]>;
    const seen = new Map<number, number>();
    const started = Date.now();
    let sent = 0;
    for (; sent < MAX_REQUESTS && Date.now() - started < MAX_MS; sent++) {
      const roll = next();
      const key = pick(KEYS_TO_TRY);
      let response: Response;
      let allowed: number[];
      if (roll < 0.75) {
        // Each field mostly keeps a documented example's value, else gets an odd one or goes missing.
        const example = pick(examples) as Record<string, unknown>;
        const body: Record<string, unknown> = {};
        for (const field of FIELDS) {
          const chance = next();
          const value = chance < 0.75 ? example[field] : chance < 0.95 ? pick(ODD_VALUES) : undefined;
          if (value !== undefined) body[field] = value;
        }
        if (next() < 0.1) body[pick(EXTRA_FIELDS)] = pick(ODD_VALUES);
        const text = next() < 0.05 ? JSON.stringify(body).slice(0, Math.floor(next() * 40)) : JSON.stringify(next() < 0.03 ? [body] : body);
        const contentType = next() < 0.05 ? pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) : 'application/json';
        response = await h.luma('/generations', { key, method: 'POST', body: text, headers: { 'Content-Type': contentType } });
        allowed = documented.createGeneration;
      } else if (roll < 0.9) {
        const id = pick([known.id, known.id.toUpperCase(), crypto.randomUUID(), 'x', '..', '%00', '%ZZ', 'a'.repeat(300), `${known.id}?verbose=1`]);
        response = await h.luma(`/generations/${id}`, { key });
        allowed = documented.getGeneration;
      } else {
        const url = new URL(knownUrl);
        const change = pick(['none', 'signature', 'expires', 'path', 'query', 'method'] as const);
        if (change === 'signature') url.searchParams.set('Signature', pick(['', 'zz', '0'.repeat(64), `${url.searchParams.get('Signature')}0`]));
        if (change === 'expires') url.searchParams.set('Expires', pick(['', '-1', '1e9', '99999999999999999999', 'now']));
        if (change === 'path') url.pathname = pick([url.pathname.replace('0.png', '1.png'), '/luma-agents/storage/generations/%ZZ/0.png', '/luma-agents/storage/']);
        if (change === 'query') url.search = '';
        response = await fetch(url, { method: change === 'method' ? pick(['POST', 'DELETE', 'HEAD']) : 'GET' });
        allowed = [200, 403, 404];
      }
      seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
      expect(response.status, `request ${sent}`).toBeLessThan(500);
      expect(allowed, `request ${sent}: status ${response.status}`).toContain(response.status);
      if (response.status >= 400) {
        const body = (await response.json()) as Record<string, unknown>;
        expect(Object.keys(body), `request ${sent}`).toEqual(['detail']);
        expect(body.detail).toEqual(expect.any(String));
      } else {
        await response.arrayBuffer();
      }
    }
    expect(sent).toBeGreaterThan(100);
    // The fuzz reached the documented answers, not only one kind of refusal.
    for (const status of [200, 201, 400, 401, 402, 403, 404, 422]) expect(seen.get(status), `status ${status} seen`).toBeGreaterThan(0);
  });
});
