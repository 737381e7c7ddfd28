// The violation detector of the proxy run must be able to fail: a stub upstream that breaks the
// spec on purpose, behind its own `prism proxy --errors`, shows how each kind of violation arrives
// at the client. The broken answers are derived from the suite's spec (a required header left out,
// a header value its schema forbids, an enum value the body may not hold, a status the operation
// does not document), so the control run needs no vendor knowledge; it runs once, for one suite.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import { loadContract, pairName } from './contract.js';
import type { Contract, DocumentedResponse } from './contract.js';
import { PRISM_ERRORS, assertNoPrismViolation, prismSignalsOf, recordingFetch, slViolations } from './exchanges.js';
import type { Exchange, PrismViolation } from './exchanges.js';
import { startPrism } from './prism.js';
import type { PrismProcess } from './prism.js';
import { ANSWERS_AT_ONCE } from './suite.js';
import type { ContractSuite, RegisteredSuite, SuiteTypes } from './suite.js';

type Node = Record<string, unknown>;

interface Canned {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** One answer that breaks the spec, and how Prism must report it. */
interface Broken {
  name: string;
  /** The operation whose call receives the answer. */
  operationId: string;
  respond: Canned;
  /** The documented answer `respond` was broken from, which must pass Prism clean. Default: none (nothing to break from). */
  intact?: Canned;
  /** The status the client gets: Prism's 500 for an Error, the upstream's own for a Warning. */
  status: number;
  /** Whether Prism replaces the answer with problem+json (Errors do; Warnings only add the header). */
  problem: boolean;
  violation: Partial<PrismViolation>;
}

/** Registers the control run against `suite`'s spec. */
export function describeControlRun(entry: RegisteredSuite): void {
  entry.use((suite) => describeControl(suite));
}

function describeControl<T extends SuiteTypes>(suite: ContractSuite<T>): void {
  const contract = loadContract(suite.slug, suite.errorCodeOf);
  const cases = brokenAnswers(contract);
  const broken = cases.filter((entry): entry is Broken => !('missing' in entry));

  describe(`prism proxy --errors in front of a stub that breaks spec/${suite.slug} (the detector can fail)`, () => {
    let stub: http.Server | undefined;
    let prism: PrismProcess | undefined;
    let next: Canned = { status: 500, headers: {}, body: '' };

    beforeAll(async () => {
      stub = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(next.status, next.headers).end(next.body));
      });
      await new Promise<void>((resolve, reject) => {
        stub!.once('error', reject);
        stub!.listen(0, '127.0.0.1', () => resolve());
      });
      const { port } = stub.address() as AddressInfo;
      prism = await startPrism(['proxy', contract.specPath, `http://127.0.0.1:${port}${contract.basePath}`, '--errors']);
    });

    afterAll(async () => {
      await Promise.allSettled([
        prism?.stop(),
        new Promise<void>((resolve) => {
          if (!stub) return resolve();
          stub.close(() => resolve());
          stub.closeAllConnections();
        }),
      ]);
    });

    for (const unavailable of cases.filter((entry): entry is Unavailable => 'missing' in entry)) {
      test(`${unavailable.name}`, () => {
        // The control run needs a spec that allows every kind of break: run it for another suite.
        expect(unavailable.missing, 'the control run cannot be derived from this spec').toBeUndefined();
      });
    }

    for (const { name, operationId, respond, status, problem, violation } of broken) {
      test(`${name}`, async () => {
        const log = await answer(operationId, respond);
        expect(log).toHaveLength(1);
        const exchange = log[0]!;
        expect(exchange.status).toBe(status);
        expect(slViolations(exchange.headers)).toContainEqual(expect.objectContaining(violation));
        if (problem) {
          expect(exchange.problem).toMatchObject({
            type: `${PRISM_ERRORS}VIOLATIONS`,
            status: 500,
            validation: expect.arrayContaining([expect.objectContaining(violation)]),
          });
        } else {
          expect(exchange.problem).toBeUndefined();
        }
        expect(prismSignalsOf(exchange).length).toBeGreaterThan(0);
        expect(() => assertNoPrismViolation(log)).toThrow(/Prism reported contract violations/);
      });
    }

    test('each documented answer the broken ones start from passes Prism clean (the break is the violation)', async () => {
      const intact = broken.filter((entry) => entry.intact !== undefined);
      expect(intact.length).toBeGreaterThan(0);
      for (const { name, operationId, intact: documented } of intact) {
        const log = await answer(operationId, documented!);
        expect(log.map((exchange) => exchange.status), name).toEqual([documented!.status]);
        assertNoPrismViolation(log, name);
      }
    });

    /** Calls `operationId` through Prism while the stub answers `respond`; the exchanges. */
    async function answer(operationId: string, respond: Canned): Promise<Exchange[]> {
      next = respond;
      const log: Exchange[] = [];
      const client = suite.client({ baseUrl: prism!.url, key: suite.devKey, retry: false, fetch: recordingFetch(log) });
      await suite.calls[operationId as T['operation']](client, suite.sampleInput, ANSWERS_AT_ONCE).catch(() => undefined);
      return log;
    }
  });
}

/** What a broken answer's derivation needs from the spec, when the spec lacks it. */
type Unavailable = { name: string; missing: string };

/** The four broken answers, each built from the first pair of the spec that allows it. */
function brokenAnswers(contract: Contract): Array<Broken | Unavailable> {
  const required = contract.responses.flatMap((pair) => pair.requiredHeaders.map((header) => ({ pair, header })));
  return [withoutRequiredHeader, withForbiddenHeaderValue, withValueOutsideEnum, withUndocumentedStatus].map(
    (derive) => derive(contract, required) ?? { name: derive.name, missing: `spec/${contract.slug} offers nothing for ${derive.name}` },
  );
}

type RequiredHeader = { pair: DocumentedResponse; header: string };

function withoutRequiredHeader(contract: Contract, required: RequiredHeader[]): Broken | undefined {
  const [first] = required;
  if (!first) return undefined;
  return {
    name: `${pairName(first.pair)} without its required ${first.header} header`,
    operationId: first.pair.operationId,
    respond: canned(contract, first.pair, { [first.header]: undefined }),
    intact: canned(contract, first.pair),
    status: 500,
    problem: true,
    violation: { location: ['response', 'header'], severity: 'Error', code: 'required' },
  };
}

function withForbiddenHeaderValue(contract: Contract, required: RequiredHeader[]): Broken | undefined {
  // A pattern first (the most telling), else an enum.
  const [first] = required
    .map(({ pair, header }) => ({ pair, header, bad: forbiddenValue(contract.deref<Node>(headerSchema(contract, pair, header))) }))
    .filter((candidate) => candidate.bad !== undefined)
    .sort((a, b) => rank(a.bad!.code) - rank(b.bad!.code));
  if (!first) return undefined;
  const { pair, header, bad } = first;
  return {
    name: `${pairName(pair)} whose ${header} header breaks its ${bad!.code} (${bad!.value})`,
    operationId: pair.operationId,
    respond: canned(contract, pair, { [header]: bad!.value }),
    intact: canned(contract, pair),
    status: 500,
    problem: true,
    violation: { location: ['response', 'header', header], severity: 'Error', code: bad!.code },
  };
}

function withValueOutsideEnum(contract: Contract): Broken | undefined {
  const found = contract.responses
    .filter((pair) => Number(pair.status) >= 400)
    .map((pair) => ({ pair, path: enumPath(contract, jsonSchema(contract, pair), jsonExample(contract, pair)) }))
    .find((candidate) => candidate.path !== undefined);
  if (!found) return undefined;
  const { pair, path } = found;
  const body = structuredClone(jsonExample(contract, pair)) as Node;
  const [parent, last] = walk(body, path!);
  parent[last] = `${String(parent[last])}-not-in-the-enum`;
  return {
    name: `${pairName(pair)} whose body holds a ${path!.join('.')} outside its enum`,
    operationId: pair.operationId,
    respond: { ...canned(contract, pair), body: JSON.stringify(body) },
    intact: canned(contract, pair),
    status: 500,
    problem: true,
    violation: { location: ['response', 'body', ...path!], severity: 'Error', code: 'enum' },
  };
}

function withUndocumentedStatus(contract: Contract): Broken | undefined {
  const pairs = contract.responses;
  const operation = pairs.find((pair) => !pairs.some((other) => other.operationId === pair.operationId && other.status === '500'));
  if (!operation) return undefined;
  return {
    // Only a Warning: the upstream answer is let through, marked by the header alone. This is
    // how a mock-server bug (its own 500 `mockServerBug` answer) would look through Prism.
    name: `a status ${operation.operationId} does not document (500)`,
    operationId: operation.operationId,
    respond: { status: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mockServerBug: 'response violates the spec' }) },
    status: 500,
    problem: false,
    violation: { location: ['response'], severity: 'Warning' },
  };
}

/** The documented answer of `pair`: its status, first media type and example body, every required header at its example value; `headers` overrides (undefined: left out). */
function canned(contract: Contract, pair: DocumentedResponse, headers: Record<string, string | undefined> = {}): Canned {
  const [mediaType] = Object.keys((pair.response.content ?? {}) as Node);
  const values: Record<string, string | undefined> = {};
  for (const header of pair.requiredHeaders) {
    const example = contract.headerExample(pair, header);
    if (example === undefined) throw new Error(`${pairName(pair)}: required header ${header} has no example`);
    values[header] = example;
  }
  Object.assign(values, headers);
  if (mediaType) values['content-type'] = mediaType;
  const body = mediaType === undefined ? '' : /json/.test(mediaType) ? JSON.stringify(jsonExample(contract, pair)) : Buffer.from('opaque bytes');
  return {
    status: Number(pair.status),
    headers: Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    body,
  };
}

function headerSchema(contract: Contract, pair: DocumentedResponse, name: string): unknown {
  const headers = (pair.response.headers ?? {}) as Node;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return contract.deref<Node>(headers[key!]).schema;
}

function jsonMedia(contract: Contract, pair: DocumentedResponse): Node | undefined {
  const content = (pair.response.content ?? {}) as Record<string, Node>;
  const type = Object.keys(content).find((candidate) => /json/.test(candidate));
  return type === undefined ? undefined : contract.deref<Node>(content[type]);
}

function jsonSchema(contract: Contract, pair: DocumentedResponse): Node | undefined {
  const schema = jsonMedia(contract, pair)?.schema;
  return schema === undefined ? undefined : contract.deref<Node>(schema);
}

function jsonExample(contract: Contract, pair: DocumentedResponse): unknown {
  const media = jsonMedia(contract, pair);
  if (media?.example !== undefined) return media.example;
  const [first] = Object.values((media?.examples ?? {}) as Node);
  return first === undefined ? undefined : contract.deref<{ value: unknown }>(first).value;
}

/** A header value its schema forbids: one a `pattern` rejects, or one outside its `enum`. */
function forbiddenValue(schema: Node): { value: string; code: 'pattern' | 'enum' } | undefined {
  if (typeof schema.pattern === 'string') {
    const pattern = new RegExp(schema.pattern);
    const value = ['inline', 'not-what-the-pattern-says', '0'].find((candidate) => !pattern.test(candidate));
    if (value !== undefined) return { value, code: 'pattern' };
  }
  if (Array.isArray(schema.enum)) return { value: 'not-a-documented-value', code: 'enum' };
  return undefined;
}

function rank(code: string): number {
  return code === 'pattern' ? 0 : 1;
}

/** The path to the first string in `example` whose schema restricts it to an enum. */
function enumPath(contract: Contract, schema: Node | undefined, example: unknown): string[] | undefined {
  if (schema === undefined || typeof example !== 'object' || example === null) return undefined;
  const properties: Node = {};
  for (const part of [schema, ...((schema.allOf ?? []) as unknown[]).map((member) => contract.deref<Node>(member))]) {
    Object.assign(properties, part.properties ?? {});
  }
  for (const [name, propertySchema] of Object.entries(properties)) {
    const value = (example as Node)[name];
    const property = contract.deref<Node>(propertySchema);
    if (typeof value === 'string' && Array.isArray(property.enum)) return [name];
    const inner = enumPath(contract, property, value);
    if (inner) return [name, ...inner];
  }
  return undefined;
}

function walk(root: Node, path: string[]): [Node, string] {
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key] as Node;
  return [parent, path.at(-1)!];
}
