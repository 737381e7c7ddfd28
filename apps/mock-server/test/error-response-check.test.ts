import express from 'express';
import { describe, expect, it } from 'vitest';

import { KeyRegistry } from '../src/core/api-keys.js';
import { ManualClock } from '../src/core/clock.js';
import { ErrorResponseCheck } from '../src/core/error-response-check.js';
import { mountVendorApi } from '../src/core/mount-api.js';
import type { ResponseViolation } from '../src/core/mount-api.js';
import { RateLimiter } from '../src/core/rate-limiter.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';
import type { MountableApi } from '../src/core/vendor-api.js';
import { listOperations, loadSpec } from '../src/index.js';
import { listen } from './listen.js';

const lumixai = loadSpec('lumixai');
const check = new ErrorResponseCheck(lumixai);
const operation = (id: string) => {
  const found = listOperations(lumixai).find((candidate) => candidate.operationId === id);
  if (!found) throw new Error(`no operation ${id} in spec/lumixai`);
  return found;
};
const envelope = (type: string, message = 'something happened') => ({ error: { type, message } });

describe('ErrorResponseCheck against spec/lumixai', () => {
  it.each([
    ['createImageJob', 503, envelope('service_unavailable')],
    ['createImageJob', 429, envelope('rate_limit_error')],
    ['createImageJob', 400, envelope('validation_error')],
    ['getImageJob', 401, envelope('authentication_error')],
    ['generateImage', 409, envelope('idempotency_conflict')],
  ])('accepts %s %i with its documented body', (id, status, body) => {
    expect(check.violation(operation(id), status, body)).toBeUndefined();
  });

  it.each([
    ['a 503 with another status type', 'createImageJob', 503, envelope('rate_limit_error'), /\/response\/error\/type: must be equal to one of the allowed values/],
    ['a 503 without a message', 'createImageJob', 503, { error: { type: 'service_unavailable' } }, /\/response\/error: must have required property 'message'/],
    ['a 401 that is not the envelope', 'getImageJob', 401, { message: 'no key' }, /must have required property 'error'/],
    ['a status the operation does not document', 'createImageJob', 418, envelope('service_unavailable'), /no schema defined for status code '418'/],
    ['an error on the public catalog, which documents none', 'listModels', 401, envelope('authentication_error'), /no schema defined for status code '401'/],
  ])('refuses %s', (_name, id, status, body, message) => {
    expect(check.violation(operation(id), status, body)).toMatch(message);
  });
});

// A tiny vendor whose error format is deliberately wrong, to prove the pipeline checks error answers
// on every path: before authentication finishes, for simulated statuses, and for 5xx.
const doc: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Broken errors', version: '1' },
  servers: [{ url: '/v1' }],
  components: {
    securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Key' } },
    schemas: {
      Failure: { type: 'object', required: ['code'], properties: { code: { type: 'string', enum: ['denied', 'down'] } } },
    },
  },
  security: [{ key: [] }],
  paths: {
    '/things': {
      get: {
        operationId: 'listThings',
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } },
          '401': { description: 'no key', content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } } },
          '503': { description: 'down', content: { 'application/json': { schema: { $ref: '#/components/schemas/Failure' } } } },
        },
      },
    },
  },
};

function brokenVendor(): MountableApi {
  return {
    slug: 'broken',
    doc,
    keys: new KeyRegistry([{ key: 'good' }]),
    errors: {
      render: (problem) => ({ status: problem.kind === 'authentication' ? 401 : 503, body: { code: 'not-a-documented-code' } }),
      forStatus: (status) => ({ status, body: { wrong: true } }),
    },
    handlers: { listThings: (_req, res) => void res.json({}) },
  };
}

async function start(validateResponses: boolean) {
  const app = express();
  const violations: ResponseViolation[] = [];
  mountVendorApi(app, brokenVendor(), {
    rateLimiter: new RateLimiter(new ManualClock()),
    bodyLimit: '1mb',
    validateResponses,
    onViolation: (violation) => violations.push(violation),
    onInternalError: () => {},
  });
  const { url } = await listen(app);
  return { base: `${url}/broken/v1`, violations };
}

describe('error answers in the shared pipeline', () => {
  it.each([
    ['a 401 from authentication', {}, 401],
    ['a 503 simulated with Prefer', { 'X-Key': 'good', Prefer: 'code=503' }, 503],
  ])('turns %s that breaks the spec into a recorded 500', async (_name, headers, status) => {
    const { base, violations } = await start(true);
    const response = await fetch(`${base}/things`, { headers });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ mockServerBug: 'response violates the spec', status });
    expect(violations).toEqual([expect.objectContaining({ api: 'broken', method: 'GET', path: '/broken/v1/things', status })]);
  });

  it('passes the same answers through untouched when response validation is off', async () => {
    const { base, violations } = await start(false);
    const response = await fetch(`${base}/things`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ code: 'not-a-documented-code' });
    expect(violations).toEqual([]);
  });
});
