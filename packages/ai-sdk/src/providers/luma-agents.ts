import { createLumaAgentsClient } from '@imagegen/luma-agents';

import { defineProvider } from '../define-provider.js';

/** Luma Agents (`LUMA_AGENTS_API_KEY`): `uni-1` and `uni-1-max`. */
export const createLumaAgents = defineProvider({
  vendor: 'luma-agents',
  keyVariable: 'LUMA_AGENTS_API_KEY',
  defaultBaseUrl: 'https://agents.lumalabs.ai/v1',
  exampleModel: 'uni-1',
  maxImagesPerCall: 1,
  supports: { aspectRatio: true },
  client: (settings) => createLumaAgentsClient(settings),
});
