// LumozAI's settings: keys from the config file or IMAGEGEN_MOCK_CONFIG_JSON in the shape every API
// shares, dev keys by default, and working defaults for everything a harness leaves out.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

import { LUMOZAI_DEV_KEYS, loadConfig } from '../../../src/index.js';
import { LUMOZAI_CONFIG_SCHEMA } from '../../../src/apis/lumozai/config-schema.js';
import { startMock } from '../../harness.js';
import { HIDREAM_FORM, LUMOZ_KEY, startLumozAI } from './harness.js';

describe('keys', () => {
  it('accepts the dev keys when the config names none, and lists them at GET /', async () => {
    const h = await startLumozAI();
    const index = (await (await fetch(`${h.running.url}/`)).json()) as { apis: Array<{ slug: string; baseUrl: string }> };
    expect(index.apis).toContainEqual(expect.objectContaining({ slug: 'lumozai', baseUrl: `${h.running.url}/lumozai/api/v4` }));
    expect(h.mock.apis.find((api) => api.slug === 'lumozai')?.devKeys).toEqual(LUMOZAI_DEV_KEYS);
    expect((await h.post('/run', { form: HIDREAM_FORM })).status).toBe(200);
  });

  it.each([
    { name: 'IMAGEGEN_MOCK_CONFIG_JSON', env: (json: string) => ({ IMAGEGEN_MOCK_CONFIG_JSON: json }) },
    { name: 'a config file', env: (_json: string, file: string) => ({ IMAGEGEN_MOCK_CONFIG: file }) },
  ])('a harness passing only its own keys via $name gets them, and defaults for the rest', async ({ env }) => {
    const dir = await mkdtemp(join(tmpdir(), 'lumozai-config-'));
    try {
      const json = JSON.stringify({ apis: { lumozai: { keys: [{ key: 'ci-key', workspace: 'ci' }] } } });
      const file = join(dir, 'mock.json');
      await writeFile(file, json);
      const config = loadConfig(undefined, env(json, file));
      const h = await startLumozAI(config);
      const run = await h.post('/run', { key: 'ci-key', form: HIDREAM_FORM });
      // The default catalog, the default hourly limit, an instant run answered completed.
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ success: true, data: { output_type: 'image' } });
      expect(run.headers.get('x-ratelimit-limit')).toBe('100000');
      const check = await h.post('/check', { key: 'ci-key', form: { request_id: String((run.body.data as { request_id: number }).request_id) } });
      expect(check.body).toMatchObject({ data: { status: 'completed' } });
      // Its own keys replace the dev keys.
      expect((await h.post('/run', { key: LUMOZ_KEY, form: HIDREAM_FORM })).status).toBe(401);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('leaves LumozAI out with "lumozai": false', async () => {
    const h = await startMock({ apis: { lumozai: false } });
    expect(h.mock.apis.map((api) => api.slug)).not.toContain('lumozai');
    expect((await fetch(`${h.running.url}/lumozai/api/v4/run`, { method: 'POST' })).status).toBe(404);
  });
});

describe('the JSON Schema of apis.lumozai', () => {
  const validate = new Ajv2020({ strict: false }).compile(LUMOZAI_CONFIG_SCHEMA);
  it.each([
    { name: 'an empty object', config: {}, valid: true },
    { name: 'every setting', config: { keys: [{ key: 'k', workspace: 'w', models: ['hidream-l1'], requestsPerHour: 60, description: 'ci' }], modelsFile: './m.json', runWaitMs: 0, unauthenticatedRequestsPerHour: 10 }, valid: true },
    { name: 'the dev keys as given', config: { keys: LUMOZAI_DEV_KEYS }, valid: true },
    { name: 'LumixAI-only key field rpm', config: { keys: [{ key: 'k', rpm: 2 }] }, valid: false },
    { name: 'a limit of zero', config: { keys: [{ key: 'k', requestsPerHour: 0 }] }, valid: false },
    { name: 'a negative wait', config: { runWaitMs: -1 }, valid: false },
    { name: 'an unknown setting', config: { syncWait: 5 }, valid: false },
    { name: 'no keys in a keys list', config: { keys: [] }, valid: false },
  ])('$name: valid $valid', ({ config, valid }) => {
    expect(validate(config)).toBe(valid);
  });
});
