import { bearer } from '../../inspector-drive.js';
import type { InspectorDrive } from '../../inspector-drive.js';
import { TOKENS } from './helpers.js';

const useapiLuma: InspectorDrive = {
  key: TOKENS.dev,
  auth: bearer,
  path: '/images',
  body: (hook) => ({ json: { prompt: 'A photorealistic portrait of an astronaut on Mars', model: 'photon-v2', ...(hook ? { replyUrl: hook } : {}) } }),
  fail: 'job-status=failed',
};
export default useapiLuma;
