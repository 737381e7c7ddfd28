import { apiKeysSchema } from '../../core/config-schemas.js';

/** `apis.lumozai` in the config file (see {@link LumozAIMockConfig}). */
export const LUMOZAI_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keys: apiKeysSchema('Accepted Authorization: Bearer keys. Default: the dev keys.', {
      requestsPerHour: { type: 'integer', minimum: 1, description: 'Requests per hour before 429 rate_limit_exceeded (X-RateLimit-Limit). Default: 100000.' },
    }),
    modelsFile: { type: 'string', minLength: 1, description: 'The model catalog (models, parameters, typical durations). Default: data/lumozai/models.json.' },
    runWaitMs: {
      type: 'integer',
      minimum: 0,
      description: 'A run whose model finishes within this many ms is answered completed; a slower one (every run, with 0) with its request_id alone. Default: 5000.',
    },
    unauthenticatedRequestsPerHour: {
      type: 'integer',
      minimum: 1,
      description: 'Requests per hour one client address may make without a valid key (counted so a 401 carries the rate-limit headers). Default: 3600.',
    },
  },
} as const;
