import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import type { ProvenanceCase } from '../../provenance-case.js';
import { TOKENS } from './helpers.js';

const useapiLuma: ProvenanceCase = {
  async make(baseUrl, prompt) {
    const client = createUseapiLumaClient({ baseUrl, token: TOKENS.dev, retry: false });
    const batch = await client.createImages({ prompt, aspect_ratio: '1:1', model: 'image-v2' });
    const job = await client.getJob(batch.jobids[2]!);
    return { jobId: job.jobid, model: 'image-v2', bytes: new Uint8Array(await (await fetch(job.response!.image!.url)).arrayBuffer()) };
  },
};
export default useapiLuma;
