import type { CallbackCase } from '../../callback-case.js';
import { LUMOZ_KEY } from './harness.js';

const lumozai: CallbackCase = {
  create: (h, hook) =>
    fetch(`${h.running.baseUrl('lumozai')}/run`, {
      method: 'POST',
      headers: { authorization: `Bearer ${LUMOZ_KEY}`, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', prefer: 'respond-async' },
      body: new URLSearchParams({ model_id: 'hidream-l1', prompt: 'a sunset', webhook: hook }).toString(),
    }),
  // LumozAI calls back once, when the run settles.
  sentAtCreation: 0,
};
export default lumozai;
