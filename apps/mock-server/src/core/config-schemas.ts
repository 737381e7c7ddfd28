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

export const WORKSPACE_SCHEMA = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', minLength: 1 },
    credits: { type: 'number', minimum: 0, description: "Starting credits in the vendor's unit. Default: unlimited." },
  },
} as const;
