import { API_KEY_SCHEMA, WORKSPACE_SCHEMA } from '../../core/config-schemas.js';

/** `apis.lumen` in the config file (see {@link LumenMockConfig}). */
export const LUMEN_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: {
      type: 'array',
      minItems: 1,
      description: 'Accepted `Authorization: Bearer` keys. Default: the dev keys.',
      items: {
        ...API_KEY_SCHEMA,
        properties: {
          ...API_KEY_SCHEMA.properties,
          group: { type: 'string', minLength: 1, description: "The key's group, which decides its models and price multiplier. Default: the catalog's defaultGroup." },
        },
      },
    },
    workspaces: { type: 'array', items: WORKSPACE_SCHEMA, description: 'Starting credit balances; workspaces not listed are unlimited.' },
    catalogFile: { type: 'string', minLength: 1, description: 'Models and groups (see data/lumen/README.md). Default: data/lumen/catalog.json.' },
  },
} as const;
