import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

import { APIS } from '../apis/registry.js';
import { WEBHOOKS_CONFIG_SCHEMA } from '../core/config-schemas.js';
import type { MockConfigFile } from './load-config.js';

/**
 * Where the published schema lies inside the package, for a config file's `$schema`:
 * `"$schema": "./node_modules/@imagegen/mock-server/dist/config.schema.json"`. `pnpm build`
 * writes it there from {@link mockConfigSchema}, so it can never disagree with the code.
 */
export const CONFIG_SCHEMA_FILE = 'dist/config.schema.json';

const retention = (what: string, fallback: string) =>
  ({ type: 'integer', minimum: 0, description: `${what}, in ms. Default: ${fallback}.` }) as const;

/** Every top-level setting besides `apis`; `satisfies` keeps it in step with {@link MockConfigFile}. */
const CORE_PROPERTIES = {
  $schema: { type: 'string', description: 'This schema, for editors: ./node_modules/@imagegen/mock-server/dist/config.schema.json' },
  timing: {
    description: "How long jobs take: 'instant', 'realistic' (each model's documented timing) or fixed durations. Default: 'realistic' from the CLI.",
    anyOf: [
      { enum: ['instant', 'realistic'] },
      {
        type: 'object',
        required: ['queuedMs', 'runningMs'],
        additionalProperties: false,
        properties: { queuedMs: { type: 'integer', minimum: 0 }, runningMs: { type: 'integer', minimum: 0 } },
      },
    ],
  },
  resultRetentionMs: retention('How long a finished result stays downloadable', '3600000 (1 hour)'),
  jobRetentionMs: retention('How long a job id stays known after it finishes', '86400000 (24 hours)'),
  idempotencyRetentionMs: retention('How long an idempotency key is remembered', '86400000 (24 hours)'),
  bodyLimit: {
    type: 'string',
    pattern: '^\\s*\\d+(\\.\\d+)?\\s*([bB]|[kKmMgG][bB])\\s*$',
    examples: ['25mb', '512kb'],
    description: "Largest request body accepted, e.g. '25mb'. Default: '25mb'.",
  },
  webhooks: { ...WEBHOOKS_CONFIG_SCHEMA, description: 'How webhooks and callbacks are sent: attempts, backoff, timeouts, allowed address ranges. Default: see WebhookDispatcherOptions.' },
  inspector: {
    description: 'The inspector at /_mock/ (a page, and the same views as JSON); false turns it off (no request recorded, no page). Default: on, keeping 200 requests per API.',
    anyOf: [
      { const: false },
      {
        type: 'object',
        additionalProperties: false,
        properties: {
          requestsPerApi: { type: 'integer', minimum: 0, maximum: 100_000, description: 'Recent requests kept per API (the oldest go first). Default: 200.' },
        },
      },
    ],
  },
  publicUrl: {
    type: 'string',
    pattern: '^https?://[^/?#\\s]+',
    examples: ['http://mock:4010'],
    description: 'The http(s) URL clients reach the server at, for absolute URLs in answers. Default: the address each request arrived on.',
  },
  upstreams: {
    type: 'object',
    description: "Proxy mode: APIs forwarded to a real service instead of mocked, by slug; the URL takes the place of /<slug> (e.g. { \"lumen\": \"https://lumen.mengfanlab.top\" }). Default: none.",
    additionalProperties: false,
    properties: Object.fromEntries(APIS.map((api) => [api.slug, { type: 'string', pattern: '^https?://[^/?#\\s]+[^?#\\s]*$', examples: ['https://lumen.mengfanlab.top'] }])),
  },
  proxy: {
    type: 'object',
    description: 'How proxied APIs forward. Default: invalid requests reported and forwarded, 120 s timeout.',
    additionalProperties: false,
    properties: {
      refuseInvalidRequests: { type: 'boolean', description: "Answer a request that breaks the spec with the vendor's validation error instead of forwarding it. Default: false." },
      timeoutMs: { type: 'integer', minimum: 1, description: "Longest wait for the upstream's whole answer, in ms; then a 502 (or the answer cut short once it has begun). Default: 120000." },
      maxCheckedBytes: {
        type: 'integer',
        minimum: 0,
        description: 'Largest JSON or text answer checked against the spec, in bytes (a copy is kept while it streams on); larger ones are checked by status and headers only. Default: 33554432 (32 MiB).',
      },
    },
  },
  record: {
    type: 'string',
    minLength: 1,
    examples: ['./recordings'],
    description: 'Proxy mode: a folder to write the proxied exchanges to, as HAR 1.2 with secrets redacted (relative to the config file folder, like modelsFile). --record wins. Default: nothing recorded.',
  },
  driftFile: {
    type: 'string',
    minLength: 1,
    examples: ['imagegen-drift.json'],
    description: 'Proxy mode: where the drift report is written when the proxy stops (relative to the config file folder, like modelsFile). --drift-file wins. Default: imagegen-drift.json.',
  },
} as const satisfies { [K in Exclude<keyof MockConfigFile, 'apis'> | '$schema']: object };

/**
 * JSON Schema (draft 2020-12) of the config file: the core settings, and under `apis` each
 * registered API's own `configSchema` (or `false`, which leaves the API out).
 */
export function mockConfigSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'imagegen mock server config',
    description: 'Settings of @imagegen/mock-server: --config <file>, IMAGEGEN_MOCK_CONFIG=<file> or IMAGEGEN_MOCK_CONFIG_JSON.',
    type: 'object',
    additionalProperties: false,
    properties: {
      ...CORE_PROPERTIES,
      apis: {
        type: 'object',
        description: 'Per-API settings by slug; false leaves an API out. Default: every API, with its dev keys.',
        additionalProperties: false,
        properties: Object.fromEntries(
          APIS.map((api) => [api.slug, { anyOf: [{ const: false, description: `Leaves ${api.slug} out.` }, api.configSchema] }]),
        ),
      },
    },
  };
}

let validate: ReturnType<Ajv2020['compile']> | undefined;

/** The first thing wrong with a parsed config, as `path: problem`; undefined when it is valid. */
export function configProblem(config: unknown): string | undefined {
  // validateSchema: false skips checking the schema itself against draft 2020-12's meta-schema, which
  // was two thirds of the time from a broken config to its one-line answer: the schema is built
  // from code, and test/config-schema.test.ts checks it is valid.
  validate ??= new Ajv2020({ allErrors: false, strict: true, verbose: true, validateSchema: false }).compile(mockConfigSchema());
  if (validate(config)) return undefined;
  return describeErrors(validate.errors ?? []);
}

/**
 * Ajv reports each failed `anyOf` branch; the deepest failure is the one that says what to fix
 * (`apis.lumixai.keys: must be an array`, not `apis.lumixai: must match a schema in anyOf`), and
 * branches that only refused the value's type are joined: `must be false or an object`.
 */
function describeErrors(errors: readonly ErrorObject[]): string {
  const concrete = errors.filter((error) => error.keyword !== 'anyOf');
  if (concrete.length === 0) return `${fieldPath(errors[0]?.instancePath ?? '')}: ${errors[0]?.message ?? 'is invalid'}`;
  const depth = (error: ErrorObject) => (error.instancePath === '' ? 0 : error.instancePath.split('/').length);
  const deepest = concrete.reduce((best, error) => (depth(error) > depth(best) ? error : best));
  const sameSpot = concrete.filter((error) => error.instancePath === deepest.instancePath);
  // A failure other than a wrong type or value comes from the branch the value's type matched.
  const specific = sameSpot.filter((error) => allowedValue(error) === undefined);
  const problem =
    specific.length > 0
      ? [...new Set(specific.map(describeError))].join(' or ')
      : `must be ${[...new Set(sameSpot.map(allowedValue))].join(' or ')}, got ${JSON.stringify(deepest.data)}`;
  return `${fieldPath(deepest.instancePath)}: ${problem}`;
}

/** What a failed `const`, `enum` or `type` allowed, to join several into "must be a or b". */
function allowedValue(error: ErrorObject): string | undefined {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'const') return JSON.stringify(params.allowedValue);
  if (error.keyword === 'enum') return (params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ');
  if (error.keyword === 'type') return `${/^[aeiou]/.test(String(params.type)) ? 'an' : 'a'} ${String(params.type)}`;
  return undefined;
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const examples = (error.parentSchema as { examples?: unknown[] } | undefined)?.examples;
  if (error.keyword === 'pattern' && examples !== undefined) {
    return `must look like ${examples.map((example) => JSON.stringify(example)).join(' or ')}, got ${JSON.stringify(error.data)}`;
  }
  if (error.keyword === 'additionalProperties') {
    const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    return `unknown setting "${String(params.additionalProperty)}"${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`;
  }
  return error.message ?? 'is invalid';
}

/** `/apis/lumixai/keys/0/rpm` -> `apis.lumixai.keys[0].rpm`; the whole file is `(config)`. */
function fieldPath(pointer: string): string {
  const parts = pointer.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), '');
  return path || '(config)';
}
