// The coupling to express-openapi-validator (core/openapi-validator/): three process-wide patches of
// its internals and the reading of its errors. Each is proved against the installed copy here, so
// an upgrade that moves an internal or rewords a message fails this file, not a user's test run.
import express from 'express';
import { describe, expect, it } from 'vitest';

import { KeyRegistry } from '../src/core/api-keys.js';
import { compose } from '../src/core/compose.js';
import { cloneDocument } from '../src/core/openapi-validator/clone-document.js';
import { openApiValidatorFor } from '../src/core/openapi-validator/middleware.js';
import { responseViolation, toProblem } from '../src/core/openapi-validator/errors.js';
import { memoizedRoutePatterns } from '../src/core/openapi-validator/route-cache.js';
import { hasOnlyDirectLocalRefs, refBundlingCounts } from '../src/core/openapi-validator/local-refs.js';
import { responseValidatorCounts } from '../src/core/openapi-validator/response-validators.js';
import { schemaRefCounts } from '../src/core/openapi-validator/schema-refs.js';
import { specCheckCounts } from '../src/core/openapi-validator/spec-check.js';
import { directValidatorRuns } from '../src/core/openapi-validator/sync-chain.js';
import { leanResponseCounts, setLeanResponseCheck } from '../src/core/openapi-validator/lean-responses.js';
import { useLeanJsonResponses } from '../src/core/json-response.js';
import { memoizeValidatorContentTypes } from '../src/core/openapi-validator/content-types.js';
import { precomputeValidatorRouteLookup, routeLookupCounts } from '../src/core/openapi-validator/route-lookup.js';
import { TESTED_VALIDATOR_VERSIONS, checkValidatorVersion, installedValidatorVersion, validatorRequire } from '../src/core/openapi-validator/version.js';
import { OperationIndex, listOperations } from '../src/core/operations.js';
import { loadSpec } from '../src/core/spec-document.js';
import type { OpenApiDocument } from '../src/core/spec-document.js';
import { API_SLUGS } from '../src/index.js';
import type { MountableApi } from '../src/core/vendor-api.js';
import { listen } from './listen.js';

/** A spec with one route per message the mock reads; its path is unique to this file. */
const doc: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Coupling', version: '1' },
  servers: [{ url: '/v1' }],
  paths: {
    '/coupling-things/{count}': {
      post: {
        operationId: 'makeThing',
        parameters: [{ name: 'count', in: 'path', required: true, schema: { type: 'integer' } }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['model'], additionalProperties: false, properties: { model: { type: 'string', enum: ['small', 'large'] }, size: { type: 'integer' } } },
            },
          },
        },
        responses: {
          '200': { description: 'made', content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } },
          '400': { description: 'invalid', content: { 'application/json': { schema: { type: 'object' } } } },
        },
      },
    },
  },
};

/**
 * The validator in front of a handler answering `answer` (or, per request, the JSON of an `x-answer`
 * header, with the status of `x-status` and the media type of `x-type`); errors come back as what the
 * mock reads from them. `lean`: the app has the mock's own `res.json`, which runs the response check.
 */
async function start(answer: unknown, title = 'Coupling', lean = false) {
  // Validators are shared by servers with the same spec: another title is another validator.
  const api: MountableApi = { slug: 'coupling', doc: { ...doc, info: { ...doc.info, title } }, keys: new KeyRegistry([]), errors: { render: () => ({ status: 500, body: {} }), forStatus: () => undefined }, handlers: {} };
  const app = express();
  if (lean) useLeanJsonResponses(app);
  const operation = listOperations(doc)[0]!;
  const index = new OperationIndex([operation]);
  // One layer, as the pipeline mounts it: Express resets req.params between layers.
  const chain = compose([
    express.json(),
    // What the route stage does before validation: the operation and its path parameters.
    (req, _res, next) => {
      const matched = index.match(req.method, req.path.slice('/coupling/v1'.length));
      req.mock = { operation: matched.operation ?? operation, principal: undefined, prefer: new Map(), requestedOutcome: undefined, uploads: [] };
      req.params = matched.pathParams;
      next();
    },
    openApiValidatorFor(api, '/coupling/v1', true),
    (req, res) => {
      if (req.headers['x-status']) res.status(Number(req.headers['x-status']));
      if (req.headers['x-type']) res.type(String(req.headers['x-type']));
      res.json(req.headers['x-answer'] === undefined ? answer : JSON.parse(String(req.headers['x-answer'])));
    },
  ]);
  app.use((req, res, next) =>
    chain(req, res, (error?: unknown) => (error === undefined ? next() : void res.status(299).json({ violation: responseViolation(error), problem: toProblem(error, req) }))),
  );
  const { url } = await listen(app);
  return (path: string, init: RequestInit = {}) =>
    fetch(`${url}/coupling/v1/coupling-things${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...init }).then((response) => response.json() as Promise<{ violation?: string; problem: { kind: string; issues?: unknown[] } }>);
}

describe('version guard', () => {
  it('accepts the installed version', () => {
    expect(() => checkValidatorVersion()).not.toThrow();
    expect(Number(installedValidatorVersion().split('.')[0])).toBe(TESTED_VALIDATOR_VERSIONS.major);
  });

  it.each(['6.0.0', '5.5.9', '4.13.0'])('refuses %s, saying what to run and where to fix it', (version) => {
    expect(() => checkValidatorVersion(version)).toThrow(/test\/openapi-validator\.test\.ts.*src\/core\/openapi-validator/);
  });
});

describe('the patches reach the copies the validator uses', () => {
  it('memoizes path-to-regexp as the validator loads it, and the validator calls it per request', async () => {
    const call = await start({ id: 'a' });
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    const module = validatorRequire('path-to-regexp') as { pathToRegexp: { memoized?: true } };
    expect(module.pathToRegexp.memoized).toBe(true);
    expect(memoizedRoutePatterns().some((pattern) => pattern.includes('coupling-things'))).toBe(true);
  });

  it("replaces its spec-document check with one that compiles on first use, which the validator constructs and never runs here", async () => {
    const before = specCheckCounts();
    const call = await start({ id: 'a' }, 'Coupling, checked');
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    const module = validatorRequire('./framework/openapi.schema.validator.js') as { OpenAPISchemaValidator: { compilesOnFirstUse?: true } };
    expect(module.OpenAPISchemaValidator.compilesOnFirstUse).toBe(true);
    const after = specCheckCounts();
    expect(after.constructed, 'the validator no longer builds its check through the patched export').toBeGreaterThan(before.constructed);
    expect(after.compiled).toBe(before.compiled);
  });
});

describe("the preprocessor's $refs, resolved without compiling them", () => {
  type Instance = { preProcess(): { apiDoc: unknown; apiDocRes: unknown }; ajv: { schemas: Record<string, { validate?: unknown }> } };
  type Preprocessor = new (doc: unknown, ajvOptions: object, responseOptions: object) => Instance;
  const { SchemaPreprocessor } = validatorRequire('./middlewares/parsers/schema.preprocessor.js') as { SchemaPreprocessor: Preprocessor };
  const { AjvOptions } = validatorRequire('./framework/ajv/options.js') as { AjvOptions: new (options: object) => { preprocessor: object } };
  const { defaultSerDes } = validatorRequire('./framework/base.serdes.js') as { defaultSerDes: object[] };
  // The options the validator hands its preprocessor for the mock's settings (middleware.ts), as its normalizeOptions() makes them.
  const ajvOptions = new AjvOptions({ formats: {}, validateFormats: true, ajvFormats: { mode: 'fast' }, serDes: defaultSerDes }).preprocessor;
  const responseOptions = { removeAdditional: false };

  it.each(API_SLUGS)('%s: the same documents as the original, with no schema compiled', async (slug) => {
    // The patch is installed with the first validator.
    const call = await start({ id: 'a' });
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    const { original } = (SchemaPreprocessor.prototype as unknown as { resolveSchema: { original?: (schema: unknown) => unknown } }).resolveSchema;
    expect(original, 'resolveSchema is the patched one').toBeTypeOf('function');
    class Unpatched extends SchemaPreprocessor {
      resolveSchema(schema: unknown) {
        return original!.call(this, schema);
      }
    }
    const before = schemaRefCounts();
    const patched = new SchemaPreprocessor(loadSpec(slug), ajvOptions, responseOptions);
    const unpatched = new Unpatched(loadSpec(slug), ajvOptions, responseOptions);
    expect(patched.preProcess()).toEqual(unpatched.preProcess());
    expect(schemaRefCounts().byPointer, 'the spec has $refs the patch resolved').toBeGreaterThan(before.byPointer);
    const compiled = (instance: Instance) => Object.values(instance.ajv.schemas).filter((env) => env.validate !== undefined).length;
    // A discriminator's branches are compiled on purpose (they validate requests): only those may be.
    const discriminators = JSON.stringify(loadSpec(slug)).includes('"discriminator"');
    expect(compiled(patched)).toBeLessThan(compiled(unpatched));
    if (!discriminators) expect(compiled(patched)).toBe(0);
  });
});

describe('response validators, compiled for the statuses answered', () => {
  it('builds one per documented status and compiles only the one an answer needed', async () => {
    const before = responseValidatorCounts();
    // A title of its own: a fresh validator, whose first answer builds the route's validators.
    const call = await start({ id: 'a' }, 'Coupling, answered once');
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    const after = responseValidatorCounts();
    expect(after.built - before.built, 'the route documents 200 and 400').toBe(2);
    expect(after.compiled - before.compiled).toBe(1);
  });
});

describe("answers checked in the mock's res.json, as the validator's own hook checks them", () => {
  // Each row: the answer's body, status, media type and the request's Accept header. Sent twice
  // in a row, so the second of each valid answer is one the check passed by its text before.
  const rows: Array<{ name: string; body: unknown; status?: number; type?: string; accept?: string }> = [
    { name: 'a valid body', body: { id: 'a' } },
    { name: 'a body that breaks the schema', body: { id: 42 } },
    { name: 'the valid body again, after the broken one', body: { id: 'a' } },
    { name: 'a valid body with extra fields', body: { id: 'b', more: [1, 2] } },
    { name: 'a missing required field', body: {} },
    { name: 'null (204)', body: null },
    { name: 'a bare string', body: 'done' },
    { name: 'a documented error status', body: { any: 'thing' }, status: 400 },
    { name: 'a status the operation does not document', body: { id: 'a' }, status: 418 },
    { name: 'a status of 500 or more (never checked)', body: { id: 42 }, status: 503 },
    { name: 'a JSON media type of its own', body: { id: 42 }, type: 'application/problem+json' },
    { name: 'a media type that is not JSON', body: { id: 42 }, type: 'text/plain' },
    { name: 'Accept: text/html', body: { id: 42 }, accept: 'text/html' },
    { name: 'Accept: */*', body: { id: 'a' }, accept: '*/*' },
    { name: 'Accept: application/*, then a broken body', body: { id: 7 }, accept: 'application/*' },
  ];

  async function exchanges(lean: boolean) {
    setLeanResponseCheck(true);
    // One title for both apps: they share the validator, so only the res.json differs.
    const call = await start({ id: 'a' }, 'Coupling, checked in res.json', lean);
    const seen = [];
    for (const row of rows) {
      for (let i = 0; i < 2; i++) {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-answer': JSON.stringify(row.body) };
        if (row.status) headers['x-status'] = String(row.status);
        if (row.type) headers['x-type'] = row.type;
        if (row.accept) headers.accept = row.accept;
        seen.push({ row: row.name, read: await call('/1', { body: JSON.stringify({ model: 'small' }), headers }).catch((error: unknown) => `not JSON: ${String(error)}`) });
      }
    }
    return seen;
  }

  it('the same status and body for every row, valid or not, with the lean check and with the hook', async () => {
    const before = leanResponseCounts();
    const lean = await exchanges(true);
    const after = leanResponseCounts();
    const stock = await exchanges(false);
    expect(leanResponseCounts(), 'the stock app went through the hook').toEqual(after);
    expect(after.lean - before.lean, 'valid JSON answers took the lean path').toBeGreaterThanOrEqual(8);
    expect(after.full - before.full, 'broken, odd and undocumented answers went through _validate').toBeGreaterThanOrEqual(10);
    expect(lean).toEqual(stock);
    // What the rows are: a broken body is a violation both times, before and after a valid one.
    const reads = (name: string) => lean.filter((entry) => entry.row === name).map((entry) => entry.read as { violation?: string });
    expect(reads('a body that breaks the schema').map((read) => read.violation)).toEqual([expect.stringMatching(/id/), expect.stringMatching(/id/)]);
    expect(reads('the valid body again, after the broken one')).toEqual([{ id: 'a' }, { id: 'a' }]);
    expect(reads('Accept: application/*, then a broken body')[1]!.violation).toMatch(/id/);
  });

  it('a body the check passed once is passed again by its text, and a different text is checked', async () => {
    const call = await start({ id: 'a' }, 'Coupling, checked by text', true);
    const send = (body: unknown) => call('/1', { body: JSON.stringify({ model: 'small' }), headers: { 'content-type': 'application/json', 'x-answer': JSON.stringify(body) } });
    await send({ id: 'same' });
    const before = leanResponseCounts();
    expect(await send({ id: 'same' })).toEqual({ id: 'same' });
    expect(leanResponseCounts().lean - before.lean).toBe(1);
    // Same keys, one value's type changed: another text, checked, refused.
    expect((await send({ id: 5 })).violation).toMatch(/id/);
  });

  it('off, every answer goes through _validate', async () => {
    const call = await start({ id: 'a' }, 'Coupling, lean check off', true);
    setLeanResponseCheck(false);
    try {
      const before = leanResponseCounts();
      await call('/1', { body: JSON.stringify({ model: 'small' }) });
      expect(leanResponseCounts()).toEqual({ lean: before.lean, full: before.full + 1 });
    } finally {
      setLeanResponseCheck(true);
    }
  });
});

describe('route metadata, from routes prepared once per spec', () => {
  type Metadata = (context: unknown, responseApiDoc: unknown) => express.RequestHandler;
  const metadataModule = validatorRequire('./middlewares/openapi.metadata.js') as { applyOpenApiMetadata: Metadata & { original?: Metadata } };
  const { OpenApiSpecLoader } = validatorRequire('./framework/openapi.spec.loader.js') as { OpenApiSpecLoader: new (options: object) => { load(): Promise<{ apiDoc: unknown }> } };
  const { OpenApiContext } = validatorRequire('./framework/openapi.context.js') as { OpenApiContext: new (spec: unknown, ignorePaths: unknown, ignoreUndocumented: boolean, useRequestUrl: boolean) => unknown };

  /** What a stage did to a request: what it set, whether it called next (and with what), or what it threw. */
  function run(middleware: express.RequestHandler, app: express.Express, method: string, target: string) {
    const req = { method, originalUrl: target, url: target, baseUrl: '', path: target.split('?')[0], app, params: { before: 'x' } } as unknown as express.Request & { openapi?: unknown };
    try {
      let outcome: unknown = 'pending';
      middleware(req, {} as express.Response, (error?: unknown) => void (outcome = error === undefined ? 'next' : { nextError: String(error) }));
      return { outcome, openapi: req.openapi, params: req.params };
    } catch (error) {
      return { thrown: `${(error as Error).name}: ${(error as Error).message} ${(error as { status?: number }).status}` };
    }
  }

  it.each(API_SLUGS)('%s: the same req.openapi, params, next() and errors as the original, for every route and near misses', async (slug) => {
    precomputeValidatorRouteLookup();
    const original = metadataModule.applyOpenApiMetadata.original!;
    expect(original, 'applyOpenApiMetadata is the patched one').toBeTypeOf('function');
    const validationDoc = { ...structuredClone(loadSpec(slug)), servers: [{ url: '/p' }] };
    const spec = await new OpenApiSpecLoader({ apiDoc: validationDoc, validateApiSpec: false }).load();
    const targets = listOperations(loadSpec(slug)).flatMap((operation) =>
      ['abc-123', '%E2%82%AC', '%ZZ', 'a%2Fb'].flatMap((value) => {
        const path = `/p${operation.path.replace(/\{[^}]+\}/g, value)}`;
        return [path, `${path}/`, `${path}?limit=1&x=%ZZ`, path.toUpperCase(), `${path}/more`];
      }),
    );
    targets.push('/p', '/p/', '/p/nothing/here', '/elsewhere');
    const strict = express();
    strict.enable('strict routing');
    strict.enable('case sensitive routing');
    const before = routeLookupCounts();
    let compared = 0;
    for (const ignoreUndocumented of [true, false]) {
      for (const responseApiDoc of [structuredClone(spec.apiDoc), null]) {
        const context = new OpenApiContext(spec, undefined, ignoreUndocumented, false);
        const fast = metadataModule.applyOpenApiMetadata(context, responseApiDoc);
        const slow = original(context, responseApiDoc);
        for (const app of [express(), strict]) {
          for (const method of ['GET', 'POST', 'DELETE', 'PATCH']) {
            for (const target of targets) {
              expect(run(fast, app, method, target), `${method} ${target}`).toEqual(run(slow, app, method, target));
              compared++;
            }
          }
        }
      }
    }
    const after = routeLookupCounts();
    expect(after.fast - before.fast, 'requests the patch matched itself').toBeGreaterThan(compared / 20);
    expect(after.delegated - before.delegated, 'near misses left to the original').toBeGreaterThan(compared / 20);
  });
});

describe('content types, parsed once per string', () => {
  type Parsed = { mediaType: string | null; parameters: Record<string, string>; isWildCard?: boolean; normalize(exclude?: string[]): string | undefined };
  const { ContentType } = validatorRequire('./middlewares/util.js') as { ContentType: (new (text?: string) => Parsed) & { from(req: object): Parsed; fromString(text?: string): Parsed; memoized?: true } };

  it.each([undefined, 'application/json', 'application/json; charset=UTF-8', 'multipart/form-data; boundary=XyZ; charset=utf-8', 'Application/JSON ; b=2; a=1', 'image/*', '*/*', 'text/plain;charset=ascii'])(
    '%s: the same media type, parameters and normalized forms as a fresh parse, one instance per string',
    (text) => {
      memoizeValidatorContentTypes();
      expect(ContentType.memoized).toBe(true);
      const fresh = new ContentType(text);
      const fromRequest = ContentType.from({ headers: text === undefined ? {} : { 'content-type': text } });
      const fromString = ContentType.fromString(text);
      expect(fromRequest).toBe(fromString);
      expect(ContentType.fromString(text)).toBe(fromString);
      const fields = (parsed: Parsed) => ({ mediaType: parsed.mediaType, parameters: parsed.parameters, isWildCard: parsed.isWildCard });
      expect(fields(fromString)).toEqual(fields(fresh));
      for (let i = 0; i < 2; i++) expect(fromString.normalize()).toBe(fresh.normalize(['boundary']));
      expect(fromString.normalize(['charset'])).toBe(fresh.normalize(['charset']));
    },
  );
});

describe("answers' media types, checked for JSON once per string", () => {
  type Check = ((contentType: unknown) => boolean) & { memoized?: true; original?: (contentType: unknown) => boolean };
  const { ResponseValidator } = validatorRequire('./middlewares/openapi.response.validator.js') as { ResponseValidator: { prototype: { canValidateContentType: Check } } };

  it.each(['application/json', 'application/json; charset=utf-8', 'application/problem+json', 'APPLICATION/JSON', 'text/plain', 'image/png', 'multipart/form-data; boundary=x', 'not a type', '', 'application/json; charset'])(
    '%j: the same answer, or the same error, as the original, every time',
    (contentType) => {
      memoizeValidatorContentTypes();
      const { canValidateContentType } = ResponseValidator.prototype;
      expect(canValidateContentType.memoized).toBe(true);
      const outcome = (check: (text: unknown) => boolean) => {
        try {
          return { json: check(contentType) };
        } catch (error) {
          return { threw: String(error) };
        }
      };
      const expected = outcome(canValidateContentType.original!);
      for (let i = 0; i < 3; i++) expect(outcome((text) => canValidateContentType.call({}, text))).toEqual(expected);
    },
  );
});

describe('its stages, run directly once built', () => {
  it('answers the same, valid and invalid, before and after it stops waiting on the spec promise per stage', async () => {
    // A title of its own: a fresh validator, whose first requests build its stages.
    const call = await start({ id: 7 }, 'Coupling, run directly');
    const exchanges = () => [
      call('/1', { body: JSON.stringify({ model: 'small' }) }),
      call('/x', { body: JSON.stringify({ model: 'small' }) }),
      call('/1', { body: JSON.stringify({ model: 'huge', extra: true }) }),
    ];
    const before = directValidatorRuns();
    const first = await Promise.all(exchanges());
    // The stages were built by the first requests: the next ones no longer wait on the promise.
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    const directBefore = directValidatorRuns();
    const later = await Promise.all(exchanges());
    expect(directValidatorRuns() - directBefore, 'each later request ran the built stages directly').toBe(3);
    expect(directBefore).toBeGreaterThanOrEqual(before);
    expect(later).toEqual(first);
    // What the three exchanges are: a response violation, then two refused requests.
    expect(first[0]!.violation).toMatch(/id/);
    expect(first[1]!.problem.kind).toBe('validation');
    expect(first[2]!.problem).toMatchObject({ kind: 'validation', issues: [expect.anything()] });
  });
});

describe('json-schema-ref-parser, left out for documents with direct local $refs only', () => {
  const $RefParser = validatorRequire('@apidevtools/json-schema-ref-parser') as { bundle(doc: object): Promise<unknown> };
  const direct = API_SLUGS.filter((slug) => hasOnlyDirectLocalRefs(loadSpec(slug)));

  it('covers most of the specs (the others still go through bundle())', () => {
    expect(direct.length).toBeGreaterThanOrEqual(API_SLUGS.length - 1);
  });

  it.each(direct)('%s: bundle() gives the document as it is', async (slug) => {
    const doc = loadSpec(slug);
    expect(await $RefParser.bundle(structuredClone(doc))).toEqual(doc);
  });

  it('the validator loads such a document without bundle()', async () => {
    const before = refBundlingCounts();
    const call = await start({ id: 'a' }, 'Coupling, loaded');
    await call('/1', { body: JSON.stringify({ model: 'small' }) });
    expect(refBundlingCounts()).toEqual({ skipped: before.skipped + 1, bundled: before.bundled });
  });

  it('a $ref to a $ref is one bundle() rewrites, so it is left to bundle()', async () => {
    const chained = { a: { $ref: '#/b' }, b: { $ref: '#/c' }, c: { type: 'string' } };
    expect(await $RefParser.bundle(structuredClone(chained))).not.toEqual(chained);
    expect(hasOnlyDirectLocalRefs(chained)).toBe(false);
  });

  it.each([
    ['a $ref to another file', { a: { $ref: 'other.yaml#/x' } }],
    ['a $ref through a $ref', { a: { $ref: '#/b/properties/x' }, b: { $ref: '#/c' }, c: { properties: { x: { type: 'string' } } } }],
    ['a $ref to nothing', { a: { $ref: '#/missing' } }],
  ])('%s is left to bundle()', (_name, doc) => {
    expect(hasOnlyDirectLocalRefs(doc)).toBe(false);
  });
});

describe("the bundle's stand-in for the validator's lodash.clonedeep", () => {
  const lodashCloneDeep = validatorRequire('lodash.clonedeep') as <T>(value: T) => T;

  it.each(API_SLUGS)('%s: copies the document as lodash does, sharing nothing with it', (slug) => {
    const original = loadSpec(slug);
    const copy = cloneDocument(original);
    expect(copy).toEqual(lodashCloneDeep(original));
    expect(copy).not.toBe(original);
    expect(copy.components).not.toBe(original.components);
  });

  it('keeps shared and circular references, as lodash does', () => {
    const shared = { type: 'string' };
    const value: Record<string, unknown> = { a: shared, b: [shared] };
    value.self = value;
    for (const copy of [cloneDocument(value), lodashCloneDeep(value)] as Array<typeof value>) {
      expect(copy.a).not.toBe(shared);
      expect((copy.b as unknown[])[0]).toBe(copy.a);
      expect(copy.self).toBe(copy);
    }
  });

  class Schema {
    constructor(readonly type: string) {}
  }
  const serialize = (date: Date) => date.toISOString();
  it.each([
    ['a function inside (structuredClone refuses it)', { format: 'date-time', 'x-eov-serdes': { serialize } }],
    ['a class instance', new Schema('string')],
    ['a symbol key', { [Symbol.for('x')]: 1, type: 'string' }],
  ])("%s: the copy is lodash's", (_name, value) => {
    const copy = cloneDocument(value);
    expect(copy).toStrictEqual(lodashCloneDeep(value));
    expect(copy).not.toBe(value);
  });
});

describe("the validator's errors, as the mock reads them", () => {
  it.each([
    {
      name: 'an enum value, with the allowed values recovered from the English message',
      path: '/1',
      body: { model: 'huge' },
      issue: { location: 'body', path: ['model'], field: 'model', keyword: 'enum', value: 'huge', allowed: ['small', 'large'] },
    },
    { name: 'a missing required field', path: '/1', body: {}, issue: { location: 'body', path: ['model'], keyword: 'required' } },
    { name: 'an unknown field', path: '/1', body: { model: 'small', colour: 'red' }, issue: { location: 'body', keyword: 'additionalProperties' } },
    { name: 'a field of the wrong type', path: '/1', body: { model: 'small', size: 'big' }, issue: { location: 'body', path: ['size'], keyword: 'type', value: 'big' } },
    { name: 'a path parameter of the wrong type', path: '/many', body: { model: 'small' }, issue: { location: 'path', path: ['count'], field: 'count', value: 'many' } },
  ])('$name', async ({ path, body, issue }) => {
    const call = await start({ id: 'a' });
    const read = await call(path, { body: JSON.stringify(body) });
    expect(read.problem.kind, JSON.stringify(read)).toBe('validation');
    expect(read.problem.issues).toEqual([expect.objectContaining(issue)]);
  });

  it('a media type the operation does not take: its own issue, naming the types it does', async () => {
    const call = await start({ id: 'a' });
    const read = await call('/1', { headers: { 'content-type': 'text/plain' }, body: 'model=small' });
    expect(read.problem.issues).toEqual([expect.objectContaining({ location: 'headers', keyword: 'mediaType', value: 'text/plain', allowed: ['application/json'] })]);
  });

  it('a response that breaks the spec is told apart from a bad request', async () => {
    const call = await start({ id: 42 });
    const read = await call('/1', { body: JSON.stringify({ model: 'small' }) });
    expect(read.violation).toMatch(/response.*id/);
  });
});
