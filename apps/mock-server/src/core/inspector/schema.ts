// The JSON Schema (draft 2020-12) of the inspector's JSON answers: `GET /_mock/` as JSON (`Snapshot`)
// and `GET /_mock/requests/{id}` (`Request`). Served at `/_mock/schema.json`; the tests validate
// every answer against it, so a field added to the views without its schema fails them.

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const integer = { type: 'integer' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const epochMs = { type: 'number', description: 'Epoch ms on the mock clock' } as const;
const text = { type: 'string' } as const;
const headers = { type: 'object', additionalProperties: text } as const;
/** Masked: never a whole secret (see `maskSecret`). */
const masked = { type: 'string', pattern: '^(?:(?:Bearer|Basic|Token) )?(?:…|[^…]{4}…[^…]{2})$' } as const;
/** A plan's key: masked like any key, or as the fault plans show a proxied API's (`…6789 sha256:0123456789ab`). */
const planKey = { anyOf: [masked, { type: 'string', pattern: '^…(?:\\S{4})? sha256:[0-9a-f]{12}$' }] } as const;
const amount = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'An exact decimal amount' } as const;
const object = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({ type: 'object', additionalProperties: false, required, properties });

const requestSummary = {
  id: { type: 'string', pattern: '^rq_\\d+$' },
  api: text,
  method: text,
  path: text,
  status: nullable(integer),
  outcome: text,
  durationMs: { type: 'number', minimum: 0 },
  at: epochMs,
  key: nullable(masked),
  operation: text,
  reason: text,
  ignoredPreferences: { type: 'array', items: text },
};
const summaryRequired = ['id', 'api', 'method', 'path', 'status', 'durationMs', 'at', 'key'];

export const INSPECTOR_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://imagegen-contracts.dev/schemas/mock-inspector.json',
  title: 'Mock server inspector views',
  $defs: {
    Request: object(
      {
        ...requestSummary,
        request: object({ headers, body: text }, ['headers']),
        answer: object({ headers, body: text, truncated: { const: true } }, ['headers']),
      },
      [...summaryRequired, 'request', 'answer'],
    ),
    RequestSummary: object(requestSummary, summaryRequired),
    Job: object(
      {
        id: text,
        owner: text,
        phase: { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
        outcome: { enum: ['succeeded', 'failed', 'cancelled'] },
        status: text,
        createdAt: epochMs,
        startedAt: epochMs,
        settledAt: epochMs,
        failure: object({ code: text, message: text }, ['message']),
        charged: amount,
        unit: nullable(text),
        outputs: count,
        label: { type: 'array', items: text },
        thumbnails: { type: 'array', items: { type: 'string', pattern: '^/_mock/thumbnails/' } },
      },
      ['id', 'owner', 'phase', 'outcome', 'status', 'createdAt', 'startedAt', 'settledAt', 'charged', 'unit', 'outputs', 'label', 'thumbnails'],
    ),
    Delivery: object({
      id: text,
      api: text,
      url: text,
      status: { enum: ['pending', 'delivered', 'failed', 'refused'] },
      reason: nullable(text),
      violation: nullable(text),
      createdAt: epochMs,
      settledAt: nullable(epochMs),
      nextAttemptAt: nullable(epochMs),
      payload: text,
      attempts: {
        type: 'array',
        items: object({
          number: { type: 'integer', minimum: 1 },
          startedAt: epochMs,
          finishedAt: nullable(epochMs),
          outcome: nullable({ enum: ['delivered', 'http-error', 'redirect', 'timeout', 'network-error'] }),
          httpStatus: nullable(integer),
          error: nullable(text),
          responseBody: nullable(text),
          requestHeaders: headers,
          signatureValid: nullable({ type: 'boolean' }),
        }),
      },
      signature: nullable(object({ header: text, scheme: text, secret: masked, verified: { type: 'boolean' } })),
    }),
    Api: object({
      slug: text,
      title: text,
      basePath: text,
      keys: { type: 'array', items: object({ key: masked, workspace: text, description: nullable(text), revoked: { type: 'boolean' } }) },
      requests: object({ kept: count, capacity: count, recent: { type: 'array', items: { $ref: '#/$defs/RequestSummary' } } }),
      jobs: object({
        total: count,
        byPhase: object({ queued: count, running: count, succeeded: count, failed: count, cancelled: count }),
        recent: { type: 'array', items: { $ref: '#/$defs/Job' } },
      }),
      money: {
        type: 'array',
        items: object({
          unit: text,
          workspaces: {
            type: 'array',
            items: object({ workspace: text, initial: nullable(amount), balance: nullable(amount), charged: amount, refunded: amount, charges: count, refunds: count }),
          },
        }),
      },
      rateLimits: { type: 'array', items: object({ who: text, limit: count, remaining: count, resetAt: epochMs }) },
    }),
    Snapshot: object({
      now: epochMs,
      filter: object({ api: nullable(text), key: nullable(text), limit: { type: 'integer', minimum: 1, maximum: 200 } }),
      apis: { type: 'array', items: { $ref: '#/$defs/Api' } },
      webhooks: object({
        total: count,
        byStatus: object({ pending: count, delivered: count, failed: count, refused: count }),
        recent: { type: 'array', items: { $ref: '#/$defs/Delivery' } },
      }),
      faults: object({
        armed: { type: 'array', items: { type: 'object', required: ['id', 'api', 'operation', 'fault'], properties: { key: planKey } } },
        fired: {
          type: 'array',
          items: object(
            { planId: text, api: text, operation: text, fault: text, method: text, path: text, key: planKey, at: epochMs },
            ['planId', 'api', 'operation', 'fault', 'method', 'path', 'at'],
          ),
        },
        firedTotal: count,
        preferred: {
          type: 'array',
          items: object({ api: text, request: text, method: text, path: text, at: epochMs, prefer: text, applied: nullable(text), status: nullable(integer) }),
        },
      }),
      violations: { type: 'array', items: object({ api: text, method: text, path: text, status: integer, message: text }) },
      drift: object({ differences: count, invalidRequests: count, injected: count }),
    }),
  },
} as const;
