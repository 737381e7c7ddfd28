import { DEV_KEY, validJob } from '../../harness.js';
import type { InspectorDrive } from '../../inspector-drive.js';

const lumixai: InspectorDrive = { key: DEV_KEY, auth: (key) => ({ 'X-API-Key': key }), path: '/v1/images/jobs', body: () => ({ json: validJob }), fail: 'job-status=error' };
export default lumixai;
