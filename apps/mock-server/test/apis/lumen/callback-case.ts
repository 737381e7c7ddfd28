import type { CallbackCase } from '../../callback-case.js';
import { KEYS } from './support.js';

const lumen: CallbackCase = {
  create: (h, hook) =>
    fetch(`${h.running.baseUrl('lumen')}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEYS.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-2-low', prompt: 'a cat', webhook_url: hook, webhook_secret: 'shh' }),
    }),
  // Lumen calls back once, when the task settles.
  sentAtCreation: 0,
};
export default lumen;
