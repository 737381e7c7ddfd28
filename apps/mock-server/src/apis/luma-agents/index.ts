import { defineApi } from '../../core/vendor-api.js';
import { LUMA_AGENTS_CONFIG_SCHEMA } from './config-schema.js';
import type { LumaAgentsMockConfig } from './luma-agents-api.js';
import { LUMA_AGENTS_DEV_KEYS, createLumaAgentsMock } from './luma-agents-api.js';

export type { LumaAgentsKeyConfig, LumaAgentsMockConfig } from './luma-agents-api.js';
export { LUMA_AGENTS_DEV_KEYS } from './luma-agents-api.js';

/** Luma Agents generations API: Bearer keys, queued generations, presigned expiring PNG/JPEG outputs. */
export const lumaAgents = defineApi<'luma-agents', LumaAgentsMockConfig>({
  slug: 'luma-agents',
  keyVariable: 'LUMA_AGENTS_API_KEY',
  devKeys: LUMA_AGENTS_DEV_KEYS,
  configSchema: LUMA_AGENTS_CONFIG_SCHEMA,
  jobOperations: { submit: 'createGeneration', poll: 'getGeneration', download: 'output' },
  create: createLumaAgentsMock,
});
