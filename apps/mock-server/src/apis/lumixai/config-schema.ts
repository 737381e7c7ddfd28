import { API_KEY_SCHEMA, WORKSPACE_SCHEMA } from '../../core/config-schemas.js';

/** `apis.lumixai` in the config file (see {@link LumixAIMockConfig}). */
export const LUMIXAI_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: {
      type: 'array',
      minItems: 1,
      description: 'Accepted X-API-Key values. Default: the dev keys.',
      items: {
        ...API_KEY_SCHEMA,
        properties: { ...API_KEY_SCHEMA.properties, rpm: { type: 'integer', minimum: 1, description: 'Requests per minute before 429 rate_limit_error. Default: no limit.' } },
      },
    },
    workspaces: { type: 'array', items: WORKSPACE_SCHEMA, description: 'Starting credit balances in credit micros; workspaces not listed are unlimited.' },
    modelsFile: { type: 'string', minLength: 1, description: 'A GET /v1/models response body to serve. Default: data/lumixai/models.json.' },
  },
} as const;
