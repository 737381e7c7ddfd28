import { createLumaAgentsClient } from '@imagegen/luma-agents';

import type { ProvenanceCase } from '../../provenance-case.js';

const lumaAgents: ProvenanceCase = {
  async make(baseUrl, prompt) {
    const client = createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false });
    const created = await client.createGeneration({ prompt, aspect_ratio: '1:1', output_format: 'jpeg' });
    const done = await client.getGeneration(created.id);
    return { jobId: created.id, model: done.model, bytes: (await client.downloadOutput(done.output![0]!.url)).bytes };
  },
};
export default lumaAgents;
