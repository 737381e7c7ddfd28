// JSON Schema pieces every API's config schema is built from, matching ApiKeyConfig and
// WorkspaceConfig in api-keys.ts.

export const API_KEY_SCHEMA = {
  type: 'object',
  required: ['key'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 1, description: 'The raw key, exactly as clients send it.' },
    workspace: { type: 'string', minLength: 1, description: "Workspace that owns the key's jobs and credits. Default: the key itself." },
    models: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Model ids the key may use. Default: every model.' },
    revoked: { type: 'boolean', description: 'Refused as revoked. Default: false.' },
    description: { type: 'string', description: 'Printed in the start-up log.' },
  },
} as const;

/**
 * `apis.<slug>.keys`: at least one key of the shared shape plus the vendor's own fields (a rate
 * limit, a group...).
 */
export function apiKeysSchema<const TExtra extends Record<string, object>>(description: string, extra: TExtra) {
  return {
    type: 'array',
    minItems: 1,
    description,
    items: { ...API_KEY_SCHEMA, properties: { ...API_KEY_SCHEMA.properties, ...extra } },
  } as const;
}

export const WORKSPACE_SCHEMA = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    credits: { type: 'number', minimum: 0, description: "Starting credits in the vendor's unit. Default: unlimited." },
  },
} as const;

/**
 * `webhooks` in the config file: the serializable options of `WebhookDispatcher` (its constructor
 * checks the ranges of each number again, with the same bounds).
 */
export const WEBHOOKS_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxAttempts: { type: 'integer', minimum: 1, maximum: 20, description: 'Attempts per delivery, the first included. Default: 5.' },
    baseDelayMs: { type: 'number', minimum: 0, description: 'Backoff before the second attempt; doubles per attempt. Default: 1000.' },
    maxDelayMs: { type: 'number', minimum: 0, description: 'Longest backoff. Default: 60000.' },
    jitter: { type: 'number', minimum: 0, maximum: 1, description: 'Share of each backoff taken off at random. Default: 0.5.' },
    attemptTimeoutMs: { type: 'number', minimum: 1, description: 'Time one attempt may take. Default: 10000.' },
    maxResponseBytes: { type: 'integer', minimum: 0, description: "Largest receiver answer read per attempt. Default: 16384." },
    allowedRanges: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'CIDR ranges a webhook target may be in; link-local and metadata addresses are refused whatever this says. Default: loopback and private networks.',
    },
    ca: {
      oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', items: { type: 'string', minLength: 1 } }],
      description: "PEM CA certificates trusted for https receivers besides Node's roots. Default: none.",
    },
    maxKept: { type: 'integer', minimum: 0, description: 'Settled deliveries kept for inspection. Default: 1000.' },
    maxAgeMs: { type: 'number', minimum: 0, description: 'How long a settled delivery is kept. Default: 1 hour.' },
    maxPending: { type: 'integer', minimum: 1, description: 'Deliveries pending at once. Default: 1000.' },
  },
} as const;
