import { createLumenClient } from '@imagegen/lumen';

import type { ProvenanceCase } from '../../provenance-case.js';
import { KEYS } from './support.js';

const lumen: ProvenanceCase = {
  async make(baseUrl, prompt) {
    const client = createLumenClient({ baseUrl, apiKey: KEYS.dev, retry: false });
    const task = await client.createGenerationTask({ model: 'gpt-image-2-low', prompt, size: '1:1', n: 2 });
    const done = await client.getTask(task.id);
    if (done.status !== 'succeeded') throw new Error(`task ${task.id} is ${done.status}`);
    return { jobId: task.id, model: 'gpt-image-2-low', bytes: (await client.downloadImage(done.data[1]!.url)).bytes };
  },
};
export default lumen;
