// How the AI SDK's tests drive luma-agents on the mock (test/vendors.ts finds this file by its slug).
import { createLumaAgentsClient } from '@imagegen/luma-agents';

import type { AnyJobs, Vendor } from '../vendor.js';
import { prompt } from '../vendor.js';

export const vendor: Vendor = {
  slug: 'luma-agents',
  key: 'luma-api-mock-dev',
  jobs: (options) => createLumaAgentsClient(options).jobs as AnyJobs,
  ownWait: (options, id, wait) => createLumaAgentsClient(options).waitForGeneration(id, wait),
  model: 'uni-1',
  request: { prompt, model: 'uni-1', aspectRatio: '1:1' },
  jobsPerSubmission: 1,
  imagesPerJob: 1,
  keyVariable: 'LUMA_AGENTS_API_KEY',
  unknownId: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e',
  kinds: [
    { kind: 'validation', prefer: 'code=422' },
    { kind: 'authentication', prefer: 'code=401' },
    { kind: 'insufficient_credits', prefer: 'code=402' },
    { kind: 'permission', prefer: 'code=403' },
    { kind: 'rate_limited', prefer: 'code=429', retryAfterMs: 1000 },
    { kind: 'upstream', prefer: 'code=502' },
    { kind: 'not_found', unknownJob: true },
    { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=generation_failed', vendorCode: 'generation_failed', retryable: true },
    { kind: 'job_failed', prefer: 'job-status=failed, job-error-code=budget_exhausted', vendorCode: 'budget_exhausted' },
    { kind: 'content_moderated', prefer: 'job-status=failed, job-error-code=content_moderated', vendorCode: 'content_moderated' },
  ],
};
