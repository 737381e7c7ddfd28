import { bearer } from '../../inspector-drive.js';
import type { InspectorDrive } from '../../inspector-drive.js';
import { KEYS } from './support.js';

const lumen: InspectorDrive = {
  key: KEYS.dev,
  auth: bearer,
  path: '/v1/images/generations',
  body: (hook) => ({ json: { model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', ...(hook ? { webhook_url: hook, webhook_secret: 'your-secret-for-the-inspector' } : {}) } }),
  fail: 'job-status=failed',
};
export default lumen;
