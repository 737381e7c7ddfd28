// How the AI SDK's tests drive useapi-luma on the mock (test/vendors.ts finds this file by its slug).
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import type { AnyJobs, Vendor } from '../vendor.js';
import { prompt } from '../vendor.js';

export const vendor: Vendor = {
  slug: 'useapi-luma',
  key: 'useapi_mock_dev',
  jobs: ({ apiKey, ...options }) => createUseapiLumaClient({ ...options, token: apiKey }).jobs as AnyJobs,
  model: 'photon-v2',
  request: { prompt, model: 'photon-v2', aspectRatio: '1:1' },
  cancels: true,
  jobsPerSubmission: 4,
  imagesPerJob: 4,
  keyVariable: 'USEAPI_TOKEN',
  // A job id names its user: one of ours with a uuid the mock never issued.
  unknownId: (issued) => issued.replace(/:[0-9a-f-]{36}-bot:luma$/, ':00000000-0000-4000-8000-000000000000-bot:luma'),
  kinds: [
    { kind: 'validation', prefer: 'code=400' },
    { kind: 'authentication', prefer: 'code=401' },
    { kind: 'insufficient_credits', prefer: 'code=402' },
    { kind: 'content_moderated', prefer: 'code=422', vendorCode: 422 },
    { kind: 'rate_limited', prefer: 'code=429', vendorCode: 429 },
    // An account whose Luma session expired: its credentials, refused before anything started.
    { kind: 'authentication', prefer: 'code=596' },
    { kind: 'not_found', unknownJob: true },
    { kind: 'job_failed', prefer: 'job-status=failed' },
  ],
};
