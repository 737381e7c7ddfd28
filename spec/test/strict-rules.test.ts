// The walker behind the strictness test: each kind of rule is found where it is written, and a mark
// covers exactly the node it is on and what that node holds.
import { describe, expect, it } from 'vitest';

import { strictRules } from '../inferences.mjs';
import type { RuleKind } from '../inferences.mjs';

const schemaRules: Array<[string, Record<string, unknown>, RuleKind[]]> = [
  ['a closed object', { type: 'object', additionalProperties: false }, ['additionalProperties']],
  ['a pattern', { type: 'string', pattern: '^a' }, ['pattern']],
  ['a format that refuses values', { type: 'string', format: 'uuid' }, ['format']],
  ['a format that only names a width', { type: 'integer', format: 'int64' }, ['integer']],
  ['string bounds', { type: 'string', minLength: 1, maxLength: 9 }, ['minLength', 'maxLength']],
  ['number bounds', { type: 'number', minimum: 0, maximum: 1, exclusiveMinimum: 0, exclusiveMaximum: 1 }, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']],
  ['array bounds', { type: 'array', minItems: 1, maxItems: 2 }, ['minItems', 'maxItems']],
  ['required members', { type: 'object', required: ['a'] }, ['required']],
  ['an empty required list', { type: 'object', required: [] }, []],
  ['a closed enum', { type: 'string', enum: ['a'] }, ['enum']],
  ['a default', { type: 'string', default: 'a' }, ['default']],
  ['a number narrowed to integer', { type: 'integer' }, ['integer']],
  ['a nullable integer', { type: ['integer', 'null'] }, ['integer']],
  ['a plain number', { type: 'number' }, []],
];

const docWith = (schema: Record<string, unknown>) => ({ openapi: '3.1.0', paths: {}, components: { schemas: { S: schema } } });

describe('strictRules', () => {
  it.each(schemaRules)('finds %s', (_name, schema, kinds) => {
    const found = strictRules(docWith(schema)).filter((rule) => rule.pointer === '#/components/schemas/S');
    expect(found.map((rule) => rule.kind).sort()).toEqual([...kinds].sort());
  });

  it('reads rules inside properties but not property names, examples or enum values as rules', () => {
    const doc = docWith({ type: 'object', properties: { pattern: { type: 'string', maxLength: 3 }, required: { type: 'string' } }, example: { pattern: 'x' } });
    expect(strictRules(doc).map((rule) => `${rule.pointer} ${rule.kind}`)).toEqual(['#/components/schemas/S/properties/pattern maxLength']);
  });

  it('counts a required header or query parameter, not a path parameter', () => {
    const parameter = (at: string) => ({ name: 'p', in: at, required: true, schema: { type: 'string' } });
    const doc = { openapi: '3.1.0', paths: {}, components: { parameters: { H: parameter('header'), Q: parameter('query'), P: parameter('path') } } };
    expect(strictRules(doc).map((rule) => `${rule.pointer} ${rule.kind}`).sort()).toEqual(['#/components/parameters/H required', '#/components/parameters/Q required']);
  });

  it('lists each status of each operation, callbacks included, with the mark that covers it', () => {
    const doc = {
      openapi: '3.1.0',
      paths: {
        '/jobs': {
          post: {
            responses: { '200': { description: 'ok' }, '409': { $ref: '#/components/responses/Conflict' } },
            callbacks: { done: { '{$request.body#/url}': { post: { responses: { '200': { description: 'ok' } } } } } },
          },
          get: { 'x-inferred': true, 'x-inferred-reason': 'a guess', responses: { '200': { description: 'ok' } } },
        },
      },
      components: { responses: { Conflict: { description: 'c', 'x-inferred': true, 'x-inferred-reason': 'a guess' } } },
    };
    const statuses = Object.fromEntries(strictRules(doc).filter((rule) => rule.kind === 'status').map((rule) => [rule.pointer, rule.inferredAt]));
    expect(statuses).toEqual({
      '#/paths/~1jobs/post/responses/200': undefined,
      '#/paths/~1jobs/post/responses/409': '#/components/responses/Conflict',
      '#/paths/~1jobs/post/callbacks/done/{$request.body#~1url}/post/responses/200': undefined,
      '#/paths/~1jobs/get/responses/200': '#/paths/~1jobs/get',
    });
  });

  it('lets a mark cover what its node holds and nothing beside it', () => {
    const doc = docWith({
      type: 'object',
      properties: {
        guessed: { 'x-inferred': true, 'x-inferred-reason': 'a guess', type: 'object', properties: { inner: { type: 'string', pattern: '^a' } } },
        stated: { type: 'string', pattern: '^b' },
      },
    });
    const byPointer = Object.fromEntries(strictRules(doc).map((rule) => [rule.pointer, rule.inferredAt]));
    expect(byPointer).toEqual({
      '#/components/schemas/S/properties/guessed/properties/inner': '#/components/schemas/S/properties/guessed',
      '#/components/schemas/S/properties/stated': undefined,
    });
  });
});
