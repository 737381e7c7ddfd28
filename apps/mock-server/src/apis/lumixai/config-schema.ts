import { WORKSPACE_SCHEMA, apiKeysSchema } from '../../core/config-schemas.js';

/** `apis.lumixai` in the config file (see {@link LumixAIMockConfig}). */
export const LUMIXAI_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: apiKeysSchema('Accepted X-API-Key values. Default: the dev keys.', {
      rpm: { type: 'integer', minimum: 1, description: 'Requests per minute before 429 rate_limit_error. Default: no limit.' },
    }),
    workspaces: { type: 'array', items: WORKSPACE_SCHEMA, description: 'Starting credit balances in credit micros; workspaces not listed are unlimited.' },
    modelsFile: { type: 'string', minLength: 1, description: 'A GET /v1/models response body to serve. Default: data/lumixai/models.json.' },
  },
} as const;
