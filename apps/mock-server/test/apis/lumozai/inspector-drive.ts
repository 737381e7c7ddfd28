import { bearer } from '../../inspector-drive.js';
import type { InspectorDrive } from '../../inspector-drive.js';
import { LUMOZ_KEY } from './harness.js';

const lumozai: InspectorDrive = {
  key: LUMOZ_KEY,
  auth: bearer,
  path: '/run',
  body: (hook) => ({ form: { model_id: 'hidream-l1', prompt: 'A beautiful sunset over mountains', ...(hook ? { webhook: hook } : {}) } }),
  fail: 'job-status=failed',
  prefer: 'respond-async',
};
export default lumozai;
