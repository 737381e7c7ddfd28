// How the AI SDK's tests drive lumixai on the mock (test/vendors.ts finds this file by its slug).
import { createLumixAIClient } from '@imagegen/lumixai';

import type { AnyJobs, Vendor } from '../vendor.js';
import { prompt } from '../vendor.js';

export const vendor: Vendor = {
  slug: 'lumixai',
  key: 'air_live_mock_dev',
  jobs: (options) => createLumixAIClient(options).jobs as AnyJobs,
  ownWait: (options, id, wait) => createLumixAIClient(options).waitForJob(id, wait),
  model: 'imagen-nano-banana-2-flash',
  request: { prompt, model: 'imagen-nano-banana-2-flash', aspectRatio: '1:1' },
  idempotentSubmissions: true,
  jobsPerSubmission: 1,
  imagesPerJob: 1,
  keyVariable: 'LUMIXAI_API_KEY',
  unknownId: '00000000-0000-4000-8000-000000000000',
  kinds: [
    { kind: 'validation', prefer: 'code=400', vendorCode: 'validation_error' },
    { kind: 'authentication', prefer: 'code=401', vendorCode: 'authentication_error' },
    { kind: 'insufficient_credits', prefer: 'code=402', vendorCode: 'insufficient_credits_error' },
    { kind: 'permission', prefer: 'code=403', vendorCode: 'permission_denied_error' },
    { kind: 'rate_limited', prefer: 'code=429', vendorCode: 'rate_limit_error', retryAfterMs: 1000 },
    // Repeating it is safe: the submission carries an Idempotency-Key.
    { kind: 'upstream', prefer: 'code=503', vendorCode: 'service_unavailable', retryable: true },
    { kind: 'not_found', unknownJob: true, vendorCode: 'resource_not_found_error' },
    { kind: 'job_failed', prefer: 'job-status=error' },
  ],
};
