import { createLumozAIClient } from '@imagegen/lumozai';

import type { ProvenanceCase } from '../../provenance-case.js';
import { LUMOZ_KEY } from './harness.js';

const lumozai: ProvenanceCase = {
  async make(baseUrl, prompt) {
    const client = createLumozAIClient({ baseUrl, apiKey: LUMOZ_KEY, retry: false });
    const run = await client.run({ model_id: 'hidream-l1', prompt });
    if (!('output' in run.data)) throw new Error(`run ${run.data.request_id} did not finish at once`);
    return { jobId: String(run.data.request_id), model: 'hidream-l1', bytes: (await client.download(run.data.output)).bytes };
  },
};
export default lumozai;
