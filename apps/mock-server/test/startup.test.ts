// What start-up was made faster by must keep working: the specs come from build-time snapshots only
// while those match the YAML, and the validators, now set up on each API's first request without
// re-checking the spec document, still refuse bad requests and catch bad answers.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import express from 'express';
import * as OpenApiValidator from 'express-openapi-validator';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';

import { KeyRegistry } from '../src/core/api-keys.js';
import { ManualClock } from '../src/core/clock.js';
import { mountVendorApi } from '../src/core/mount-api.js';
import type { ResponseViolation } from '../src/core/mount-api.js';
import { RateLimiter } from '../src/core/rate-limiter.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';
import { readSpecDocument, specSnapshotPath } from '../src/core/spec-snapshot.js';
import { compileValidatorSpecCheckOnFirstUse } from '../src/core/openapi-validator/spec-check.js';
import type { MountableApi } from '../src/core/vendor-api.js';
import { loadSpec, specPath } from '../src/index.js';
import { errorOf, startMock, validJob } from './harness.js';
import { listen } from './listen.js';

const dir = await mkdtemp(join(tmpdir(), 'spec-snapshot-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('spec documents', () => {
  const yaml = 'openapi: 3.0.3\ninfo: { title: From the YAML, version: "1" }\npaths: {}\n';
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const marker = { openapi: '3.0.3', info: { title: 'From the snapshot', version: '1' }, paths: {} };

  it.each([
    ['the snapshot when it was made from this YAML', sha(yaml), 'From the snapshot'],
    ['the YAML when the snapshot is stale (YAML edited since the build)', sha(`${yaml}# edited\n`), 'From the YAML'],
    ['the YAML when there is no snapshot', undefined, 'From the YAML'],
  ])('come from %s', async (_name, snapshotSha, title) => {
    const yamlPath = join(dir, `${title}-${snapshotSha ?? 'none'}.yaml`);
    await writeFile(yamlPath, yaml);
    let snapshotPath: string | undefined;
    if (snapshotSha !== undefined) {
      snapshotPath = `${yamlPath}.json`;
      await writeFile(snapshotPath, JSON.stringify({ sha256: snapshotSha, document: marker }));
    }
    expect(readSpecDocument(yamlPath, snapshotPath).info.title).toBe(title);
  });

  it('loadSpec gives exactly what spec/lumixai/openapi.yaml says, from a built snapshot', async () => {
    expect(specSnapshotPath('lumixai'), 'pnpm build writes spec/dist/lumixai.json').toBeDefined();
    expect(loadSpec('lumixai')).toEqual(parse(await readFile(specPath('lumixai'), 'utf8')));
  });
});

describe('request validation, set up on the first request', () => {
  it.each([
    ['a body without its required prompt', { model: validJob.model }, /prompt/],
    ['a seed of the wrong type', { ...validJob, seed: 'forty-two' }, /seed/],
  ])('refuses %s as the very first request of a new server', async (_name, body, field) => {
    const h = await startMock();
    const response = await h.call('/v1/images/jobs', { json: body });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.type).toBe('validation_error');
    expect(error.message).toMatch(field);
  });
});

// A vendor whose handler answers what its spec forbids: the response check must still catch it.
const thingDoc: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Things', version: '1' },
  servers: [{ url: '/v1' }],
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } } } },
          },
          '400': { description: 'bad', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  },
};

async function startThings(body: unknown) {
  const api: MountableApi = {
    slug: 'things',
    doc: structuredClone(thingDoc),
    keys: new KeyRegistry([]),
    errors: { render: (problem) => ({ status: 400, body: { problem: problem.message } }), forStatus: () => undefined },
    handlers: { getThing: (_req, res) => void res.json(body) },
  };
  const app = express();
  const violations: ResponseViolation[] = [];
  mountVendorApi(app, api, {
    rateLimiter: new RateLimiter(new ManualClock()),
    bodyLimit: '1mb',
    validateResponses: true,
    onViolation: (violation) => violations.push(violation),
    onInternalError: () => {},
  });
  const { url } = await listen(app);
  return { base: `${url}/things/v1`, violations };
}

describe('response validation, set up on the first request', () => {
  it('records an answer that breaks the spec and answers 500 instead', async () => {
    const { base, violations } = await startThings({ name: 'no id' });
    const response = await fetch(`${base}/things/1`);
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ mockServerBug: 'response violates the spec', status: 200 });
    expect(violations).toEqual([expect.objectContaining({ api: 'things', path: '/things/v1/things/1', status: 200, message: expect.stringMatching(/id/) })]);
  });

  it('passes an answer that keeps to the spec, and still refuses a bad path parameter', async () => {
    const { base, violations } = await startThings({ id: 1 });
    expect(await (await fetch(`${base}/things/1`)).json()).toEqual({ id: 1 });
    const bad = await fetch(`${base}/things/one`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ problem: expect.stringMatching(/path parameter id/) });
    expect(violations).toEqual([]);
  });
});

describe("express-openapi-validator's own check of a spec document", () => {
  it('still runs, and still refuses a broken document, for anyone who asks for it (validateApiSpec: true)', async () => {
    compileValidatorSpecCheckOnFirstUse(); // as every mock server's first request does
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const app = express();
      app.use(OpenApiValidator.middleware({ apiSpec: { openapi: '3.0.3', info: { title: 'no version' }, paths: {} } as never, validateApiSpec: true }));
      app.get('/', (_req, res) => void res.send('served'));
      app.use(((error, _req, res, _next) => void res.status(500).send(String(error.message))) as express.ErrorRequestHandler);
      const { url } = await listen(app);
      const response = await fetch(url);
      expect(response.status).toBe(500);
      expect(await response.text()).toMatch(/apiDoc was invalid/);
    } finally {
      quiet.mockRestore();
    }
  });
});
