import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';

import { LUMEN_CONFIG_SCHEMA } from '../../../src/apis/lumen/config-schema.js';
import { WEBHOOKS_CONFIG_SCHEMA } from '../../../src/core/config-schemas.js';
import { LUMEN_DEV_KEYS, createMockServer, loadConfig } from '../../../src/index.js';
import type { LumenKeyConfig, LumenMockConfig, WebhookFileOptions } from '../../../src/index.js';
import { EDIT, GENERATION, INPAINT, KEYS, TIMING, lumenError, startLumen } from './support.js';
import { random } from '../../seeded-random.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lumen-catalog-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Lumen keys: each documented refusal in its own code', () => {
  it.each([
    { name: 'no Authorization header', key: null, code: 'missing_api_key', message: /Missing API key.*Bearer/ },
    { name: 'a key the mock does not know', key: 'sk-lumen-not-a-key', code: 'invalid_api_key', message: /Invalid API key/ },
    { name: 'a revoked key', key: KEYS.revoked, code: 'revoked_api_key', message: /revoked/ },
  ])('$name: 401 $code on every operation', async ({ key, code, message }) => {
    const h = await startLumen();
    for (const [path, json] of [
      ['/v1/images/generations', GENERATION],
      ['/v1/images/edits', EDIT],
      ['/v1/images/inpaint', INPAINT],
      ['/v1/images/generations/a1b2c3', undefined],
    ] as const) {
      const error = await lumenError(await h.lumen(path, { key, json }));
      expect(error, path).toMatchObject({ status: 401, code, message: expect.stringMatching(message) });
    }
  });

  it('a key sent with another scheme is a missing key', async () => {
    const h = await startLumen();
    const response = await h.lumen('/v1/images/generations', { key: null, json: GENERATION, headers: { Authorization: `Basic ${KEYS.dev}` } });
    expect((await lumenError(response)).code).toBe('missing_api_key');
  });
});

describe("Lumen models and groups: the key's group decides the models", () => {
  it.each([
    { name: 'default group, text-to-image', key: KEYS.dev, path: '/v1/images/generations', body: GENERATION, status: 200 },
    { name: 'default group, inpaint model', key: KEYS.dev, path: '/v1/images/inpaint', body: INPAINT, status: 200 },
    { name: 'basic group, its model', key: KEYS.basic, path: '/v1/images/edits', body: EDIT, status: 200 },
    {
      name: 'basic group, the inpaint model it lacks',
      key: KEYS.basic,
      path: '/v1/images/inpaint',
      body: INPAINT,
      status: 404,
      code: 'model_not_found',
      message: 'no such image model in this group: fal-flux-pro-fill (group basic offers gpt-image-2-low)',
    },
    {
      name: 'a model no group has',
      key: KEYS.dev,
      path: '/v1/images/generations',
      body: { ...GENERATION, model: 'gpt-image-9' },
      status: 404,
      code: 'model_not_found',
      message: 'no such image model in this group: gpt-image-9 (group default offers gpt-image-2-low, fal-flux-pro-fill)',
    },
    {
      name: 'inpaint with a model that cannot inpaint',
      key: KEYS.dev,
      path: '/v1/images/inpaint',
      body: { ...INPAINT, model: 'gpt-image-2-low' },
      status: 400,
      code: 'model_cannot_inpaint',
      message: 'model gpt-image-2-low does not support inpaint (it supports text-to-image, image-to-image); use an inpaint model, e.g. fal-flux-pro-fill',
    },
    {
      name: 'inpaint with a model that cannot, in a group without any that can',
      key: KEYS.basic,
      path: '/v1/images/inpaint',
      body: { ...INPAINT, model: 'gpt-image-2-low' },
      status: 400,
      code: 'model_cannot_inpaint',
      message: expect.stringContaining('e.g. none in this group'),
    },
    {
      name: 'text-to-image with the inpaint-only model',
      key: KEYS.dev,
      path: '/v1/images/generations',
      body: { ...GENERATION, model: 'fal-flux-pro-fill' },
      status: 400,
      code: 'invalid_request',
      message: 'model: fal-flux-pro-fill does not support text-to-image; it supports inpainting',
    },
    {
      name: 'a quality the model does not have',
      key: KEYS.dev,
      path: '/v1/images/generations',
      body: { ...GENERATION, quality: 'ultra' },
      status: 400,
      code: 'invalid_request',
      message: 'quality: gpt-image-2-low supports low, medium, high; got ultra',
    },
  ])('$name: $status $code', async ({ key, path, body, status, code, message }) => {
    const h = await startLumen();
    const response = await h.lumen(path, { key, json: body });
    if (status === 200) return expect(response.status).toBe(200);
    expect(await lumenError(response)).toEqual({ status, code, message });
  });

  it('a key limited to some models (the shared `models` field) sees no other', async () => {
    const h = await startLumen({ apis: { lumen: { keys: [{ key: 'sk-lumen-only-gpt', models: ['gpt-image-2-low'] }] } } });
    expect((await h.lumen('/v1/images/generations', { key: 'sk-lumen-only-gpt', json: GENERATION })).status).toBe(200);
    const error = await lumenError(await h.lumen('/v1/images/inpaint', { key: 'sk-lumen-only-gpt', json: INPAINT }));
    expect(error).toMatchObject({ status: 404, code: 'model_not_found', message: expect.stringContaining('offers gpt-image-2-low)') });
  });
});

/** Submits until the balance runs out (at most `max` times); the number accepted. */
async function acceptedUntilBroke(h: Awaited<ReturnType<typeof startLumen>>, key: string, body: object, path = '/v1/images/generations', max = 60) {
  for (let accepted = 0; accepted < max; accepted++) {
    const response = await h.lumen(path, { key, json: body });
    if (response.status !== 200) {
      expect(await lumenError(response)).toMatchObject({ status: 402, code: 'insufficient_credits' });
      return accepted;
    }
  }
  return max;
}

describe('Lumen billing: model unit price x group multiplier x n, refunds for failed and cancelled tasks', () => {
  it.each([
    // 100 credits; gpt-image-2-low 4, fal-flux-pro-fill 10; group default x1, basic x0.5.
    { name: 'one 4-credit image', workspace: 'ws', group: undefined, body: GENERATION, path: undefined, tasks: 25 },
    { name: 'n=3 at 4 credits', workspace: 'ws', group: undefined, body: { ...GENERATION, n: 3 }, path: undefined, tasks: 8 },
    { name: 'the 10-credit inpaint model', workspace: 'ws', group: undefined, body: INPAINT, path: '/v1/images/inpaint', tasks: 10 },
    { name: 'half price in group basic', workspace: 'ws', group: 'basic', body: { ...GENERATION, n: 4 }, path: undefined, tasks: 12 },
  ])('$name: $tasks tasks from 100 credits', async ({ group, body, path, tasks }) => {
    const h = await startLumen({
      timing: 'instant',
      apis: { lumen: { keys: [{ key: 'sk-lumen-payer', workspace: 'ws', ...(group && { group }) }], workspaces: [{ id: 'ws', credits: 100 }] } },
    });
    expect(await acceptedUntilBroke(h, 'sk-lumen-payer', body, path)).toBe(tasks);
  });

  it('the no-credits dev key gets 402 insufficient_credits and no task', async () => {
    const h = await startLumen();
    const error = await lumenError(await h.lumen('/v1/images/generations', { key: KEYS.noCredits, json: GENERATION }));
    expect(error).toEqual({ status: 402, code: 'insufficient_credits', message: 'insufficient credits: 1 x gpt-image-2-low costs 4 credits, the balance is 0' });
  });

  it.each(['failed', 'cancelled'])('a %s task gives its credits back when it settles, not before', async (status) => {
    const h = await startLumen();
    // 100 credits: 4 tasks of 4 images (64), then one of 4 images that ends `status` (16 more).
    for (let i = 0; i < 4; i++) await h.submit({ ...GENERATION, n: 4 }, { key: KEYS.credits100 });
    await h.submit({ ...GENERATION, n: 4 }, { key: KEYS.credits100, headers: { Prefer: `job-status=${status}` } });
    // 20 left: one more 4-image task fits, a second does not.
    expect(await acceptedUntilBroke(h, KEYS.credits100, { ...GENERATION, n: 4 })).toBe(1);
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    await new Promise((resolve) => setImmediate(resolve));
    // 4 + 16 refunded = 20: one more again.
    expect(await acceptedUntilBroke(h, KEYS.credits100, { ...GENERATION, n: 4 })).toBe(1);
  });

  it('a succeeded task keeps its credits', async () => {
    const h = await startLumen();
    await h.submit({ ...GENERATION, n: 4 }, { key: KEYS.credits100 });
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await acceptedUntilBroke(h, KEYS.credits100, { ...GENERATION, n: 4 })).toBe(5);
  });

  it('Prefer: code=402 answers the documented error without billing', async () => {
    const h = await startLumen();
    const error = await lumenError(await h.lumen('/v1/images/generations', { key: KEYS.credits100, json: GENERATION, headers: { Prefer: 'code=402' } }));
    expect(error.code).toBe('insufficient_credits');
    expect(await acceptedUntilBroke(h, KEYS.credits100, GENERATION)).toBe(25);
  });
});

describe('Lumen billing is exact (issue 15 row 2): fractional prices and multipliers lose no credit', () => {
  it.each([
    { name: '0.1 a credit from 0.3', unitPrice: 0.1, priceMultiplier: 1, n: 1, credits: 0.3, tasks: 3, balance: '0' },
    { name: '0.1 x 0.7 x 3 from 0.63', unitPrice: 0.1, priceMultiplier: 0.7, n: 3, credits: 0.63, tasks: 3, balance: '0' },
    { name: '0.1 x 0.7 x 3 from 0.65', unitPrice: 0.1, priceMultiplier: 0.7, n: 3, credits: 0.65, tasks: 3, balance: '0.02' },
  ])('$name: $tasks tasks, then the balance $balance printed as written', async ({ unitPrice, priceMultiplier, n, credits, tasks, balance }) => {
    const file = join(dir, `exact-${unitPrice}-${priceMultiplier}-${n}.json`);
    await writeFile(file, JSON.stringify({ defaultGroup: 'g', models: [{ code: 'm', modes: ['generate'], unitPrice }], groups: [{ name: 'g', priceMultiplier, models: ['m'] }] }));
    const h = await startLumen({ timing: 'instant', apis: { lumen: { catalogFile: file, keys: [{ key: 'sk-lumen-k', workspace: 'w' }], workspaces: [{ id: 'w', credits }] } } });
    const body = { ...GENERATION, model: 'm', n };
    for (let i = 0; i < tasks; i++) expect((await h.lumen('/v1/images/generations', { key: 'sk-lumen-k', json: body })).status).toBe(200);
    const refused = await lumenError(await h.lumen('/v1/images/generations', { key: 'sk-lumen-k', json: body }));
    expect(refused).toMatchObject({ status: 402, code: 'insufficient_credits' });
    expect(refused.message).toMatch(new RegExp(`, the balance is ${balance.replace('.', '\\.')}$`));
  });

  it('buys exactly k tasks from k prices plus change, for random prices, groups and n (seeded)', async () => {
    const next = random(15_020);
    const int = (below: number) => Math.floor(next() * below);
    // Prices and multipliers with up to 3 and 2 decimals, as a catalog writes them; one workspace per case.
    const models = Array.from({ length: 6 }, (_, i) => ({ code: `m${i}`, modes: ['generate'], unitPrice: Number(decimal(BigInt(1 + int(2000)), int(4))) }));
    const groups = Array.from({ length: 4 }, (_, i) => ({ name: `g${i}`, priceMultiplier: Number(decimal(BigInt(1 + int(200)), int(3))), models: models.map((m) => m.code) }));
    const cases = Array.from({ length: 30 }, (_, i) => {
      const model = models[int(models.length)]!;
      const group = groups[int(groups.length)]!;
      const n = 1 + int(4);
      const [price, priceScale] = units(model.unitPrice);
      const [multiplier, multiplierScale] = units(group.priceMultiplier);
      const cost = price * multiplier * BigInt(n);
      const scale = priceScale + multiplierScale;
      const tasks = int(4);
      const change = BigInt(int(Number(cost)));
      return { key: `sk-lumen-c${i}`, workspace: `w${i}`, model, group, n, tasks, cost: decimal(cost, scale), change: decimal(change, scale), credits: Number(decimal(cost * BigInt(tasks) + change, scale)) };
    });
    const file = join(dir, 'random-catalog.json');
    await writeFile(file, JSON.stringify({ defaultGroup: 'g0', models, groups }));
    const h = await startLumen({
      timing: 'instant',
      apis: {
        lumen: {
          catalogFile: file,
          keys: cases.map((c) => ({ key: c.key, workspace: c.workspace, group: c.group.name })),
          workspaces: cases.map((c) => ({ id: c.workspace, credits: c.credits })),
        },
      },
    });
    for (const c of cases) {
      const body = { ...GENERATION, model: c.model.code, n: c.n };
      const context = `${c.model.unitPrice} x ${c.group.priceMultiplier} x ${c.n} from ${c.credits}`;
      expect(await acceptedUntilBroke(h, c.key, body, undefined, c.tasks + 1), context).toBe(c.tasks);
      const refused = await lumenError(await h.lumen('/v1/images/generations', { key: c.key, json: body }));
      expect(refused.message, context).toBe(`insufficient credits: ${c.n} x ${c.model.code} costs ${c.cost} credits, the balance is ${c.change}`);
    }
  });
});

/** `units` x 10^-scale as a person writes it: no exponent, no trailing zeros. */
function decimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const digits = value.toString().padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`.replace(/\.?0+$/, '');
}

/** A catalog number as integer units and decimal places: 0.25 -> [25n, 2]. */
function units(value: number): [bigint, number] {
  const [whole, fraction = ''] = String(value).split('.');
  return [BigInt(`${whole}${fraction}`), fraction.length];
}

describe('Lumen configuration: keys, workspaces and the catalog from the config file', () => {
  it('a harness passing only its own keys gets every model, the default group and unlimited credits', async () => {
    const h = await startLumen({ timing: 'instant', apis: { lumen: { keys: [{ key: 'sk-lumen-ci' }] } } });
    for (const [path, body] of [
      ['/v1/images/generations', { ...GENERATION, n: 4 }],
      ['/v1/images/inpaint', { ...INPAINT, n: 4 }],
    ] as const) {
      expect(await acceptedUntilBroke(h, 'sk-lumen-ci', body, path, 30)).toBe(30);
    }
    // The dev keys are not accepted beside configured ones.
    expect((await lumenError(await h.lumen('/v1/images/generations', { json: GENERATION }))).code).toBe('invalid_api_key');
  });

  it('IMAGEGEN_MOCK_CONFIG_JSON keys, groups and workspaces reach the mock', async () => {
    const config = loadConfig(undefined, {
      IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({
        apis: { lumen: { keys: [{ key: 'sk-lumen-env', workspace: 'team', group: 'basic' }], workspaces: [{ id: 'team', credits: 4 }] } },
      }),
    });
    const h = await startLumen({ ...config, timing: 'instant' });
    // basic halves the 4-credit price: two images from 4 credits, and no inpaint model.
    expect(await acceptedUntilBroke(h, 'sk-lumen-env', GENERATION)).toBe(2);
    expect((await lumenError(await h.lumen('/v1/images/inpaint', { key: 'sk-lumen-env', json: INPAINT }))).code).toBe('model_not_found');
  });

  it('catalogFile replaces the models and groups, prices included', async () => {
    const file = join(dir, 'catalog.json');
    await writeFile(
      file,
      JSON.stringify({
        defaultGroup: 'vip',
        models: [{ code: 'my-inpainter', modes: ['generate', 'inpaint'], unitPrice: 3 }],
        groups: [{ name: 'vip', priceMultiplier: 2, models: ['my-inpainter'] }],
      }),
    );
    const h = await startLumen({
      timing: 'instant',
      apis: { lumen: { catalogFile: file, keys: [{ key: 'sk-lumen-vip', workspace: 'w' }], workspaces: [{ id: 'w', credits: 30 }] } },
    });
    expect((await lumenError(await h.lumen('/v1/images/generations', { key: 'sk-lumen-vip', json: GENERATION }))).code).toBe('model_not_found');
    // 3 x 2 = 6 credits an image: five from 30.
    expect(await acceptedUntilBroke(h, 'sk-lumen-vip', { ...INPAINT, model: 'my-inpainter' }, '/v1/images/inpaint')).toBe(5);
  });

  it.each([
    { name: 'not JSON', content: '{', error: /not readable JSON/ },
    { name: 'no groups', content: JSON.stringify({ defaultGroup: 'a', models: [] }), error: /"groups"/ },
    {
      name: 'a group naming an unknown model and a bad default',
      content: JSON.stringify({ defaultGroup: 'zz', models: [{ code: 'm', modes: ['generate'], unitPrice: 1 }], groups: [{ name: 'a', priceMultiplier: 1, models: ['m', 'x'] }] }),
      error: /groups\[0\]\.models names models the catalog does not have: x; defaultGroup must name one of the groups \(a\)/,
    },
    {
      name: 'a model with an unknown mode and a negative price',
      content: JSON.stringify({ defaultGroup: 'a', models: [{ code: 'm', modes: ['upscale'], unitPrice: -1 }], groups: [{ name: 'a', priceMultiplier: 1, models: ['m'] }] }),
      error: /models\[0\]\.modes must list some of generate, edit, inpaint; models\[0\]\.unitPrice must be a number >= 0/,
    },
  ])('a malformed catalog ($name) stops start-up naming the file and the field', async ({ content, error }) => {
    const file = join(dir, 'bad.json');
    await writeFile(file, content);
    expect(() => createMockServer({ apis: { lumen: { catalogFile: file } } })).toThrow(error);
  });

  it('a key naming a group the catalog lacks stops start-up', () => {
    expect(() => createMockServer({ apis: { lumen: { keys: [{ key: 'sk-lumen-x', group: 'gold' }] } } })).toThrow(
      'apis.lumen.keys: sk-lumen-x names group gold, which the catalog does not have (default, basic)',
    );
  });
});

describe('the config file schemas of apis.lumen and webhooks', () => {
  const ajv = new Ajv2020({ allErrors: true });
  const lumen = ajv.compile(LUMEN_CONFIG_SCHEMA);
  const webhooks = ajv.compile(WEBHOOKS_CONFIG_SCHEMA);

  it('list exactly the fields of their types', () => {
    expectTypeOf<keyof typeof LUMEN_CONFIG_SCHEMA.properties>().toEqualTypeOf<keyof LumenMockConfig>();
    expectTypeOf<keyof typeof LUMEN_CONFIG_SCHEMA.properties.keys.items.properties>().toEqualTypeOf<keyof LumenKeyConfig>();
    expectTypeOf<keyof typeof WEBHOOKS_CONFIG_SCHEMA.properties>().toEqualTypeOf<keyof WebhookFileOptions>();
  });

  it.each([
    { name: 'the dev keys', config: { keys: LUMEN_DEV_KEYS, workspaces: [{ id: 'ws_no_credits', credits: 0 }] }, valid: true },
    { name: 'a key with a group and a catalog file', config: { keys: [{ key: 'k', group: 'basic' }], catalogFile: './catalog.json' }, valid: true },
    { name: 'a misspelt key field', config: { keys: [{ key: 'k', grop: 'basic' }] }, valid: false },
    { name: 'an empty key list', config: { keys: [] }, valid: false },
    { name: 'negative credits', config: { workspaces: [{ id: 'w', credits: -1 }] }, valid: false },
  ])('apis.lumen: $name is valid: $valid', ({ config, valid }) => {
    expect(lumen(config)).toBe(valid);
  });

  it.each([
    { name: 'ranges and attempts', config: { allowedRanges: ['10.0.0.0/8'], maxAttempts: 3, jitter: 0 }, valid: true },
    { name: 'a CA bundle', config: { ca: ['-----BEGIN CERTIFICATE-----'] }, valid: true },
    { name: 'a misspelt field', config: { allowedRange: ['10.0.0.0/8'] }, valid: false },
    { name: '21 attempts', config: { maxAttempts: 21 }, valid: false },
    { name: 'jitter above 1', config: { jitter: 2 }, valid: false },
  ])('webhooks: $name is valid: $valid', ({ config, valid }) => {
    expect(webhooks(config)).toBe(valid);
  });
});
