import { WORKSPACE_SCHEMA, apiKeysSchema } from '../../core/config-schemas.js';

const KEYS = apiKeysSchema('Accepted Bearer keys. Default: the dev keys.', {
  rpm: { type: 'integer', minimum: 1, description: 'POST /generations per minute before 429. Default: no limit.' },
  concurrent: { type: 'integer', minimum: 1, description: 'Unfinished generations at a time before 429. Default: no limit.' },
  suspended: { type: 'boolean', description: 'A suspended API client: every call answers 403. Default: false.' },
});
// Luma makes both models available to every account, so a key has no model allow-list here.
const { models: _models, ...KEY_PROPERTIES } = KEYS.items.properties;

/** `apis.luma-agents` in the config file (see {@link LumaAgentsMockConfig}). */
export const LUMA_AGENTS_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: { ...KEYS, items: { ...KEYS.items, properties: KEY_PROPERTIES } },
    workspaces: {
      type: 'array',
      items: { ...WORKSPACE_SCHEMA, properties: { ...WORKSPACE_SCHEMA.properties, credits: { ...WORKSPACE_SCHEMA.properties.credits, description: 'Starting balance in US dollars. Default: unlimited.' } } },
      description: 'Starting balances in US dollars; workspaces not listed are unlimited.',
    },
    maxImageBytes: {
      type: 'integer',
      minimum: 1,
      description: "Largest decoded inline input image (source.data, image_ref[].data) before 413. Default: 52428800 (Luma's 50 MB).",
    },
  },
} as const;
