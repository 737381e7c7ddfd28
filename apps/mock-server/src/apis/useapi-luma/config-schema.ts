import { API_KEY_SCHEMA } from '../../core/config-schemas.js';

// useapi.net tokens are not scoped to models, so the shared `models` field is left out.
const { models: _models, ...KEY_PROPERTIES } = API_KEY_SCHEMA.properties;

/** `apis.useapi-luma` in the config file (see {@link UseapiLumaMockConfig}). */
export const USEAPI_LUMA_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: {
      type: 'array',
      minItems: 1,
      description: 'Accepted API tokens (Authorization: Bearer). Default: the dev keys.',
      items: {
        ...API_KEY_SCHEMA,
        properties: {
          ...KEY_PROPERTIES,
          user: {
            type: 'integer',
            minimum: 1,
            maximum: 999_999_999,
            description: 'The useapi.net user number in job ids and assetRefs (u<user>). Default: derived from the workspace.',
          },
        },
      },
    },
    accounts: {
      type: 'array',
      description: 'Luma accounts. Default: the dev accounts (user@example.com for every workspace, and one account per documented failure).',
      items: {
        type: 'object',
        required: ['email'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', pattern: '^[^\\s:/@]+@[^\\s:/@]+$', description: 'The Luma account email.' },
          workspace: { type: 'string', minLength: 1, description: 'The workspace that configured it. Default: every workspace without accounts of its own gets a copy.' },
          concurrency: { type: 'integer', minimum: 1, maximum: 100, description: 'Batches it runs at once. Default: 4.' },
          subscription: { enum: ['active', 'expired'], description: 'expired answers 402. Default: active.' },
          session: { enum: ['ok', 'error'], description: 'error answers 596. Default: ok.' },
        },
      },
    },
    blockedWords: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Words or phrases whose presence in a prompt answers 422 (whole words, any case). Default: data/useapi-luma/blocked-words.json.',
    },
    modelsFile: { type: 'string', minLength: 1, description: 'The model table (resolutions, reference rules, timing, credits). Default: data/useapi-luma/models.json.' },
  },
} as const;
