import { bearer } from '../../inspector-drive.js';
import type { InspectorDrive } from '../../inspector-drive.js';

const lumaAgents: InspectorDrive = { key: 'luma-api-mock-dev', auth: bearer, path: '/generations', body: () => ({ json: { prompt: 'A glass of iced coffee on a marble countertop' } }), fail: 'job-status=failed' };
export default lumaAgents;
