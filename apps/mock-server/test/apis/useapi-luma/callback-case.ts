import type { CallbackCase } from '../../callback-case.js';
import { TOKENS } from './helpers.js';

const useapiLuma: CallbackCase = {
  create: (h, hook) =>
    fetch(`${h.running.baseUrl('useapi-luma')}/images`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.dev}`, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'an astronaut on Mars', replyUrl: hook }),
    }),
  // useapi.net posts the created record at once, and the final one when the batch settles.
  sentAtCreation: 1,
};
export default useapiLuma;
