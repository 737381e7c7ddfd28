import { WORKSPACE_SCHEMA, apiKeysSchema } from '../../core/config-schemas.js';

/** `apis.lumen` in the config file (see {@link LumenMockConfig}). */
export const LUMEN_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: apiKeysSchema('Accepted `Authorization: Bearer` keys. Default: the dev keys.', {
      group: { type: 'string', minLength: 1, description: "The key's group, which decides its models and price multiplier. Default: the catalog's defaultGroup." },
    }),
    workspaces: { type: 'array', items: WORKSPACE_SCHEMA, description: 'Starting credit balances; workspaces not listed are unlimited.' },
    catalogFile: { type: 'string', minLength: 1, description: 'Models and groups (see data/lumen/README.md). Default: data/lumen/catalog.json.' },
  },
} as const;
