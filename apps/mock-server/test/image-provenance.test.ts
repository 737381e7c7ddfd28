// Every API's images name the request that made them (API, job id, model, prompt, size), read back with
// the exported readImageProvenance, so a client's test can check which job an image came from
// without decoding pixels. One row per API the mock serves: a job made and downloaded through the
// API's own client, kept in that API's test folder (test/apis/<slug>/provenance-case.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { API_SLUGS, createMockServer, imageSize, readImageProvenance, serve } from '../src/index.js';
import type { RunningMockServer } from '../src/index.js';
import { perSlugCases } from './per-slug-cases.js';
import type { ProvenanceCase } from './provenance-case.js';

let running: RunningMockServer;
beforeAll(async () => {
  running = await serve(createMockServer(), { port: 0 });
});
afterAll(() => running.close());

const PROMPT = 'a lighthouse at dusk, naïve style';

const { cases: ROWS, missing, extra } = await perSlugCases<ProvenanceCase, (typeof API_SLUGS)[number]>('provenance-case', API_SLUGS);

describe('provenance of every API\'s images', () => {
  it.each(ROWS)('$slug: the downloaded image names its API, job, model, prompt and size', async ({ slug, make }) => {
    const { jobId, model, bytes } = await make(running.baseUrl(slug), PROMPT);
    expect(readImageProvenance(bytes)).toEqual({ api: slug, jobId, model, prompt: PROMPT, ...imageSize(bytes) });
  });

  it('every API the mock serves has a row, and only those', () => {
    expect(missing, 'APIs the mock serves without a provenance case: add these files').toEqual([]);
    expect(extra, 'provenance cases of folders that are not an API the mock serves').toEqual([]);
    expect(ROWS.map((row) => row.slug)).toEqual(API_SLUGS);
  });
});
