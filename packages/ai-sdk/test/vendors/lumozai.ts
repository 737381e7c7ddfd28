// How the AI SDK's tests drive lumozai on the mock (test/vendors.ts finds this file by its slug).
import { createLumozAIClient } from '@imagegen/lumozai';

import type { AnyJobs, Vendor } from '../vendor.js';
import { prompt } from '../vendor.js';

export const vendor: Vendor = {
  slug: 'lumozai',
  key: 'lmz_mock_dev',
  jobs: (options) => createLumozAIClient(options).jobs as AnyJobs,
  ownWait: (options, id, wait) => createLumozAIClient(options).waitForRequest(Number(id), wait),
  model: 'hidream-l1',
  request: { prompt, model: 'hidream-l1' },
  basePrefer: 'respond-async',
  jobsPerSubmission: 1,
  imagesPerJob: 1,
  keyVariable: 'LUMOZAI_API_KEY',
  unknownId: '212121212121212',
  kinds: [
    { kind: 'authentication', prefer: 'code=401', vendorCode: 'authentication_failed' },
    { kind: 'permission', prefer: 'code=403', vendorCode: 'permission_denied' },
    { kind: 'not_found', prefer: 'code=404', vendorCode: 'model_not_found' },
    { kind: 'validation', prefer: 'code=422', vendorCode: 'validation_error' },
    { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'rate_limit_exceeded' },
    { kind: 'upstream', prefer: 'code=500', vendorCode: 'internal_server_error' },
    { kind: 'job_failed', prefer: 'job-status=failed' },
  ],
};
