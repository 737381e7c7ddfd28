// What image-provenance.test.ts needs from every API the mock serves: one job made and one of its
// images downloaded through the API's own client. Each API keeps its case beside its other tests,
// in `test/apis/<slug>/provenance-case.ts` (a default export), found by slug rather than listed.

/** A job made on the mock and one of its images, as the API's client downloaded it. */
export interface Made {
  jobId: string;
  model: string;
  bytes: Uint8Array;
}

export interface ProvenanceCase {
  /** Makes one job for `prompt` through the API's client at `baseUrl` and downloads one of its images. */
  make(baseUrl: string, prompt: string): Promise<Made>;
}
