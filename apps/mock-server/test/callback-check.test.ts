import { describe, expect, it } from 'vitest';

import { CallbackSchemaCheck } from '../src/core/callback-check.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';

const taskBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/TaskResult' } } } };
const callbackItem = { post: { requestBody: taskBody, responses: { '200': { description: 'received' } } } };

// OpenAPI 3.0: the same callback under two operations (one through components), a different
// `finished` under a third, and OpenAPI's `nullable`.
const openapi30: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'callbacks', version: '1' },
  paths: {
    '/v1/generations': {
      post: {
        operationId: 'createGeneration',
        callbacks: { taskFinished: { '{$request.body#/webhook_url}': callbackItem } },
        responses: {},
      },
    },
    '/v1/edits': {
      parameters: [],
      post: {
        operationId: 'createEdit',
        callbacks: { taskFinished: { $ref: '#/components/callbacks/TaskFinished' } },
        responses: {},
      },
    },
    '/v1/batches': {
      post: {
        operationId: 'createBatch',
        callbacks: {
          finished: {
            '{$request.body#/replyUrl}': {
              post: { requestBody: { $ref: '#/components/requestBodies/Batch' }, responses: { '200': { description: 'ok' } } },
            },
          },
        },
        responses: {},
      },
    },
    '/v1/other': {
      post: {
        operationId: 'createOther',
        callbacks: {
          finished: {
            '{$request.body#/replyUrl}': {
              post: { requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['other'] } } } }, responses: {} },
            },
          },
        },
        responses: {},
      },
    },
  },
  components: {
    callbacks: { TaskFinished: { '{$request.body#/webhook_url}': callbackItem } },
    requestBodies: {
      Batch: { content: { 'application/json': { schema: { type: 'object', required: ['images'], properties: { images: { type: 'array' } } } } } },
    },
    schemas: {
      TaskResult: {
        type: 'object',
        required: ['id', 'status'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', example: 'a1b2c3' },
          status: { type: 'string', enum: ['succeeded', 'failed', 'cancelled'] },
          data: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string', format: 'uri' } } } },
          error: { type: 'object', nullable: true, 'x-inferred': true },
        },
      },
    },
  },
};

// OpenAPI 3.1: a top-level webhook whose schema uses a 2020-12 keyword draft-07 does not know.
const openapi31: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'webhooks', version: '1' },
  paths: {},
  webhooks: {
    taskFinished: { $ref: '#/components/pathItems/TaskFinished' },
  },
  components: {
    pathItems: {
      TaskFinished: { post: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Pair' } } } } } },
    },
    schemas: {
      Pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: ['integer', 'null'] }], maxItems: 2 },
    },
  },
};

describe('CallbackSchemaCheck on OpenAPI 3.0 callbacks', () => {
  const check = new CallbackSchemaCheck(openapi30);

  it('lists the callbacks the document declares', () => {
    expect(check.names()).toEqual(['finished', 'taskFinished']);
  });

  it.each([
    [{ id: 'a1', status: 'succeeded', data: [{ url: 'https://img.test/1.png' }] }],
    [{ id: 'a1', status: 'failed', error: { code: 'upstream_error', message: 'x' } }],
    [{ id: 'a1', status: 'failed', error: null }],
  ])('accepts %j', (payload) => {
    expect(check.violation('taskFinished', payload)).toBeUndefined();
  });

  it.each([
    [{ id: 'a1', status: 'done' }, '/body/status: must be equal to one of the allowed values ("succeeded", "failed", "cancelled")'],
    [{ status: 'failed' }, "/body: must have required property 'id'"],
    [{ id: 'a1', status: 'failed', extra: 1 }, '/body: must NOT have additional properties (extra)'],
    [{ id: 'a1', status: 'succeeded', data: [{ url: 'not a uri' }] }, '/body/data/0/url: must match format "uri"'],
    [{ id: 7, status: 'queued' }, '/body/id: must be string; /body/status: must be equal to one of the allowed values ("succeeded", "failed", "cancelled")'],
  ])('reports %j', (payload, message) => {
    expect(check.violation('taskFinished', payload)).toBe(message);
  });

  it('finds a callback whose body is a $ref to components/requestBodies', () => {
    expect(check.violation('finished', { images: [] }, { operationId: 'createBatch' })).toBeUndefined();
    expect(check.violation('finished', {}, { operationId: 'createBatch' })).toBe("/body: must have required property 'images'");
    expect(check.violation('finished', { images: [] }, { operationId: 'createOther' })).toBe("/body: must have required property 'other'");
  });

  it.each([
    ['an unknown name', 'taskDone', {}, /the spec declares no callback or webhook "taskDone"; it has finished, taskFinished/],
    ['a name with different bodies and no operationId', 'finished', {}, /has different bodies at paths\.\/v1\/batches\.post\.callbacks\.finished, paths\.\/v1\/other\.post\.callbacks\.finished; pass an operationId/],
    ['an operation that declares no such callback', 'finished', { operationId: 'createGeneration' }, /declares no callback or webhook "finished"/],
  ])('throws for %s', (_name, name, selector, message) => {
    expect(() => check.validator(name, selector)).toThrow(message);
  });

  it('returns the shape WebhookDispatcher.deliver takes as validate', () => {
    const validate: (payload: unknown) => string | undefined = check.validator('taskFinished', { operationId: 'createEdit' });
    expect(validate({ id: 'a', status: 'cancelled' })).toBeUndefined();
    expect(validate({ id: 'a' })).toMatch(/required property 'status'/);
  });
});

describe('CallbackSchemaCheck on OpenAPI 3.1 webhooks', () => {
  const check = new CallbackSchemaCheck(openapi31);

  it('checks with JSON Schema 2020-12, so prefixItems applies', () => {
    expect(check.names()).toEqual(['taskFinished']);
    expect(check.violation('taskFinished', ['a', 1])).toBeUndefined();
    expect(check.violation('taskFinished', ['a', null])).toBeUndefined();
    expect(check.violation('taskFinished', [1, 1])).toBe('/body/0: must be string');
    expect(check.violation('taskFinished', ['a', 1, 'extra'])).toBe('/body: must NOT have more than 2 items');
  });

  it('would miss those violations under draft-07, which ignores prefixItems', () => {
    const as30 = new CallbackSchemaCheck({ ...openapi31, openapi: '3.0.3' });
    expect(as30.violation('taskFinished', [1, 1])).toBeUndefined();
  });
});
