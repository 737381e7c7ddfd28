// How the AI SDK's tests drive lumen on the mock (test/vendors.ts finds this file by its slug).
import { createLumenClient } from '@imagegen/lumen';

import type { AnyJobs, Vendor } from '../vendor.js';
import { prompt } from '../vendor.js';

export const vendor: Vendor = {
  slug: 'lumen',
  key: 'sk-lumen-mock-dev',
  jobs: (options) => createLumenClient(options).jobs as AnyJobs,
  ownWait: (options, id, wait) => createLumenClient(options).waitForTask(id, wait),
  model: 'gpt-image-2-low',
  request: { prompt, model: 'gpt-image-2-low', aspectRatio: '1:1' },
  jobsPerSubmission: 1,
  imagesPerJob: 1,
  keyVariable: 'LUMEN_API_KEY',
  unknownId: 'a1b2c3d4e5f60000',
  kinds: [
    { kind: 'validation', prefer: 'code=400', vendorCode: 'invalid_request' },
    { kind: 'authentication', prefer: 'code=401', vendorCode: 'missing_api_key' },
    { kind: 'insufficient_credits', prefer: 'code=402', vendorCode: 'insufficient_credits' },
    { kind: 'not_found', prefer: 'code=404', vendorCode: 'model_not_found' },
    { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'upstream_rate_limited', retryAfterMs: 1000 },
    { kind: 'upstream', prefer: 'code=502', vendorCode: 'upstream_error' },
    // Lumen refunds an upstream failure: a new task may succeed.
    { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=upstream_error', vendorCode: 'upstream_error', retryable: true },
  ],
};
