// Keys, accounts and limits: who may call, what it costs, how fast. Every refusal is a documented
// status with Luma's `{ detail }` body.
import { describe, expect, it } from 'vitest';

import { createMockServer, loadConfig, serve } from '../../../src/index.js';
import { KEYS, PROMPT, TINY_PNG_BASE64, detailOf, startLuma } from './support.js';

const SOME_ID = '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e';

describe('Luma Agents authentication: 401 on both operations', () => {
  const requests = [
    { operation: 'create', path: '/generations', json: { prompt: PROMPT } },
    { operation: 'poll', path: `/generations/${SOME_ID}`, json: undefined },
  ];
  const credentials: Array<{ name: string; headers: Record<string, string>; detail: RegExp }> = [
    { name: 'no Authorization header', headers: {}, detail: /^Missing API key: send it in the Authorization: Bearer <key>\. \[imagegen-mock\] keys accepted here: luma-api-mock-dev, / },
    { name: 'a key the mock does not know', headers: { Authorization: 'Bearer luma-api-not-a-key' }, detail: /^Invalid API key\. \[imagegen-mock\] keys accepted here: luma-api-mock-dev, / },
    { name: 'the dev key in X-API-Key instead of Bearer', headers: { 'X-API-Key': KEYS.dev }, detail: /^Missing API key/ },
    { name: 'the dev key as Basic credentials', headers: { Authorization: `Basic ${KEYS.dev}` }, detail: /^Missing API key/ },
  ];
  it.each(requests.flatMap((request) => credentials.map((credential) => ({ ...request, ...credential }))))(
    '$operation with $name',
    async ({ path, json, headers, detail }) => {
      const h = await startLuma();
      const response = await h.luma(path, { key: null, json, headers });
      expect(response.status).toBe(401);
      expect(await detailOf(response)).toMatch(detail);
    },
  );

  it('a revoked key from the config is refused, saying so', async () => {
    const h = await startLuma({ apis: { 'luma-agents': { keys: [{ key: 'luma-api-old', revoked: true }] } } });
    const response = await h.luma('/generations', { key: 'luma-api-old', json: { prompt: PROMPT } });
    expect(response.status).toBe(401);
    expect(await detailOf(response)).toMatch(/revoked/);
  });
});

describe('Luma Agents account state: 403 for a suspended client, 402 without balance', () => {
  it.each([
    { operation: 'create', path: '/generations', json: { prompt: PROMPT } },
    { operation: 'poll', path: `/generations/${SOME_ID}`, json: undefined },
  ])('the suspended dev key: $operation -> 403', async ({ path, json }) => {
    const h = await startLuma();
    const response = await h.luma(path, { key: KEYS.suspended, json });
    expect(response.status).toBe(403);
    expect(await detailOf(response)).toMatch(/suspended/);
  });

  it('the no-balance dev key: creating answers 402, polling still works', async () => {
    const h = await startLuma();
    const response = await h.luma('/generations', { key: KEYS.noBalance, json: { prompt: PROMPT } });
    expect(response.status).toBe(402);
    expect(await detailOf(response)).toMatch(/^Insufficient balance: this uni-1 generation costs \$0\.0404 and the balance is \$0\.0000$/);
    expect((await h.luma(`/generations/${SOME_ID}`, { key: KEYS.noBalance })).status).toBe(404);
  });

  it('a configured balance is spent per image (uni-1-max and input images cost more) and failed generations are refunded', async () => {
    const h = await startLuma({
      apis: { 'luma-agents': { keys: [{ key: 'luma-api-team', workspace: 'team' }], workspaces: [{ id: 'team', credits: 0.15 }] } },
    });
    const create = (body: object, prefer?: string) =>
      h.luma('/generations', { key: 'luma-api-team', json: { prompt: PROMPT, ...body }, headers: prefer ? { Prefer: prefer } : {} });
    // $0.15: uni-1-max with one reference ($0.103) fits, then only a plain uni-1 ($0.0404) does.
    expect((await create({ model: 'uni-1-max', image_ref: [{ url: 'https://example.org/a.jpg' }] })).status).toBe(201);
    expect((await create({ model: 'uni-1-max' })).status).toBe(402);
    // A failed generation gives its $0.0404 back, so the same spend is possible again.
    const failed = (await (await create({}, 'job-status=failed')).json()) as { id: string };
    expect((await h.poll(failed.id, 'luma-api-team')).state).toBe('failed');
    expect((await create({})).status).toBe(201);
    const refused = await create({});
    expect(refused.status).toBe(402);
    expect(await detailOf(refused)).toMatch(/balance is \$0\.0066$/);
    // mock.reset() restores the starting balance.
    h.mock.reset();
    expect((await create({ model: 'uni-1-max' })).status).toBe(201);
  });
});

describe('Luma Agents rate limits: requests per minute and concurrent jobs on POST /generations, 429 with Retry-After', () => {
  it('the 2-per-minute dev key: the third creation in a minute is refused until the window ends; polls are never counted', async () => {
    const h = await startLuma();
    const statuses: number[] = [];
    let id = '';
    for (let i = 0; i < 3; i++) {
      const response = await h.luma('/generations', { key: KEYS.rpm2, json: { prompt: PROMPT } });
      statuses.push(response.status);
      if (response.status === 201) id = ((await response.json()) as { id: string }).id;
      else {
        expect(response.headers.get('retry-after')).toBe('60');
        expect(await detailOf(response)).toMatch(/^Rate limit of 2 requests per minute exceeded; retry in 60 s$/);
      }
    }
    expect(statuses).toEqual([201, 201, 429]);
    for (let i = 0; i < 5; i++) expect((await h.luma(`/generations/${id}`, { key: KEYS.rpm2 })).status).toBe(200);
    h.clock.advance(45_000);
    const later = await h.luma('/generations', { key: KEYS.rpm2, json: { prompt: PROMPT } });
    expect([later.status, later.headers.get('retry-after')]).toEqual([429, '15']);
    h.clock.advance(15_000);
    expect((await h.luma('/generations', { key: KEYS.rpm2, json: { prompt: PROMPT } })).status).toBe(201);
  });

  it('the one-at-a-time dev key: a second creation while the first is unfinished waits for it to settle', async () => {
    const h = await startLuma({ timing: { queuedMs: 2000, runningMs: 8000 } });
    await h.create({}, { key: KEYS.concurrent1 });
    h.clock.advance(3000);
    const refused = await h.luma('/generations', { key: KEYS.concurrent1, json: { prompt: PROMPT } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('7');
    expect(await detailOf(refused)).toMatch(/^Too many concurrent jobs: 1 of at most 1 generations are unfinished; retry in 7 s$/);
    h.clock.advance(7000);
    await h.create({}, { key: KEYS.concurrent1 });
  });

  it('a refused request is not billed and does not take a slot', async () => {
    const h = await startLuma({
      timing: { queuedMs: 0, runningMs: 1000 },
      apis: { 'luma-agents': { keys: [{ key: 'luma-api-one', workspace: 'one', concurrent: 1 }], workspaces: [{ id: 'one', credits: 0.0404 }] } },
    });
    // Unreadable image data: 422 before any charge or slot.
    const bad = await h.luma('/generations', { key: 'luma-api-one', json: { prompt: PROMPT, source: { data: 'AAAA', media_type: 'image/png' } } });
    expect(bad.status).toBe(422);
    await h.create({}, { key: 'luma-api-one' });
  });
});

describe('Luma Agents user_id: accepted, stored, echoed nowhere', () => {
  it('appears in no answer, neither the creation, nor a poll, nor the output URL', async () => {
    const h = await startLuma();
    const userId = 'end-user-7f3a9c';
    const response = await h.luma('/generations', { json: { prompt: PROMPT, user_id: userId, image_ref: [{ data: TINY_PNG_BASE64, media_type: 'image/png' }] } });
    const createdText = await response.text();
    expect(response.status).toBe(201);
    const { id } = JSON.parse(createdText) as { id: string };
    const polledText = await (await h.luma(`/generations/${id}`)).text();
    for (const text of [createdText, polledText]) expect(text).not.toContain(userId);
    expect(JSON.parse(polledText)).not.toHaveProperty('user_id');
  });
});

describe('Luma Agents Prefer: code=<status> answers every documented error of the operation', () => {
  it.each([
    { path: '/generations', json: { prompt: PROMPT }, statuses: [400, 401, 402, 403, 413, 422, 429, 502, 503] },
    { path: `/generations/${SOME_ID}`, json: undefined, statuses: [400, 401, 403, 404] },
  ].flatMap(({ path, json, statuses }) => statuses.map((status) => ({ path, json, status }))))('$path Prefer: code=$status', async ({ path, json, status }) => {
    const h = await startLuma();
    const response = await h.luma(path, { json, headers: { Prefer: `code=${status}` } });
    expect(response.status).toBe(status);
    expect(await detailOf(response)).toBe(`Simulated by Prefer: code=${status}`);
    expect(response.headers.has('retry-after')).toBe(status === 429);
  });

  it('refuses a status the operation does not document, naming those it does', async () => {
    const h = await startLuma();
    const response = await h.luma(`/generations/${SOME_ID}`, { headers: { Prefer: 'code=429' } });
    expect(response.status).toBe(400);
    expect(await detailOf(response)).toMatch(/documented: 200, 400, 401, 403, 404$/);
  });
});

describe('Luma Agents keys from the config file and from LUMA_AGENTS_API_KEY', () => {
  async function started(env: NodeJS.ProcessEnv) {
    const mock = createMockServer({ ...loadConfig(undefined, env), apis: { ...loadConfig(undefined, env).apis, lumixai: false } });
    const running = await serve(mock, { port: 0 });
    const status = async (key: string) =>
      (
        await fetch(`${running.baseUrl('luma-agents')}/generations`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ prompt: PROMPT }),
        })
      ).status;
    return { running, status };
  }

  it.each([
    { name: 'nothing configured: the dev keys', env: {}, accepted: [KEYS.dev], refused: ['luma-api-mine'] },
    { name: 'LUMA_AGENTS_API_KEY set: that key and the dev keys', env: { LUMA_AGENTS_API_KEY: 'luma-api-mine' }, accepted: [KEYS.dev, 'luma-api-mine'], refused: ['luma-api-other'] },
    {
      name: 'keys in IMAGEGEN_MOCK_CONFIG_JSON replace the dev keys; LUMA_AGENTS_API_KEY joins them',
      env: { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ apis: { 'luma-agents': { keys: [{ key: 'luma-api-ci' }] } } }), LUMA_AGENTS_API_KEY: 'luma-api-mine' },
      accepted: ['luma-api-ci', 'luma-api-mine'],
      refused: [KEYS.dev],
    },
  ])('$name', async ({ env, accepted, refused }) => {
    const { running, status } = await started(env);
    try {
      for (const key of accepted) expect(await status(key), key).toBe(201);
      for (const key of refused) expect(await status(key), key).toBe(401);
    } finally {
      await running.close();
    }
  });

  it.each([
    { name: 'a key with a model allow-list (Luma makes both models available to every account)', config: { keys: [{ key: 'k', models: ['uni-1'] }] } },
    { name: 'a negative balance', config: { workspaces: [{ id: 'w', credits: -1 }] } },
    { name: 'a fractional rpm', config: { keys: [{ key: 'k', rpm: 1.5 }] } },
    { name: 'an unknown setting', config: { keys: [{ key: 'k' }], seed: 1 } },
  ])('refuses a config with $name at start-up, naming the setting', ({ config }) => {
    expect(() => loadConfig(undefined, { IMAGEGEN_MOCK_CONFIG_JSON: JSON.stringify({ apis: { 'luma-agents': config } }) })).toThrow(/apis\.luma-agents/);
  });

  it('a config that gives keys only gets working defaults for everything else (balance, limits, models)', async () => {
    const h = await startLuma({ apis: { 'luma-agents': { keys: [{ key: 'luma-api-ci' }] } } });
    for (const model of ['uni-1', 'uni-1-max'] as const) {
      const created = await h.create({ model }, { key: 'luma-api-ci' });
      expect((await h.poll(created.id, 'luma-api-ci')).state).toBe('completed');
    }
  });
});
