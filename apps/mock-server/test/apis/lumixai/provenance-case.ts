import { createLumixAIClient } from '@imagegen/lumixai';

import { DEV_KEY } from '../../harness.js';
import type { ProvenanceCase } from '../../provenance-case.js';

const lumixai: ProvenanceCase = {
  async make(baseUrl, prompt) {
    const client = createLumixAIClient({ baseUrl, apiKey: DEV_KEY, retry: false });
    const job = await client.createJob({ model: 'flux-kontext', prompt, aspectRatio: '1:1', resolution: '1k' });
    const done = await client.getJob(job.id);
    return { jobId: job.id, model: 'flux-kontext', bytes: (await client.download(done.data![0]!.download_url)).bytes };
  },
};
export default lumixai;
