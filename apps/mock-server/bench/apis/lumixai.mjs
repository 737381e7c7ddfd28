// lumixai in `pnpm bench` (bench-vs-prism.mjs): its routes, key and bodies, the same for our
// server and Prism, and its job life cycle (`lifecycle`). Found by its slug: every API the mock
// mounts has a file here.
export default (() => {
  // The dev key with unlimited credits and no rate limit, so no request is refused for quota reasons.
  const headers = { 'x-api-key': 'air_live_mock_dev' };
  const jobBody = JSON.stringify({
    model: 'imagen-nano-banana-2-flash',
    prompt: 'premium product render on glass, studio lighting',
    aspectRatio: '16:9',
    resolution: '2k',
  });
  const create = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: jobBody };
  return {
    // Prism ignores the spec's relative `servers` entry and serves the paths at its root.
    prismBasePath: '',
    // Public and stateless: the request that says the API is up; start-up is timed to its answer.
    ready: { method: 'GET', path: '/v1/models', headers: {}, status: 200 },
    // A real job on ours, so the poll route answers 200 from state rather than 404; Prism is
    // stateless: any uuid gets the documented example.
    async prepare(baseUrl, serverName) {
      if (serverName === 'prism') return { jobId: '9f5b5e70-839b-46f5-a31c-6cf7d7e92a30' };
      const response = await fetch(`${baseUrl}/v1/images/jobs`, create);
      const body = await response.json();
      if (response.status !== 202 || typeof body.id !== 'string') throw new Error(`could not create a job on ${serverName}: ${response.status} ${JSON.stringify(body)}`);
      return { jobId: body.id };
    },
    routes: [
      { name: 'GET /v1/models', method: 'GET', path: () => '/v1/models', headers: {}, status: 200 },
      { name: 'GET /v1/images/jobs/{id}', method: 'GET', path: (ctx) => `/v1/images/jobs/${ctx.jobId}`, headers, status: 200 },
      { name: 'POST /v1/images/jobs', path: () => '/v1/images/jobs', ...create, status: 202 },
    ],
  };
})();

/**
 * Its job life cycle through the client's common `client.jobs` (the same loop for every API):
 * bench-lifecycle.mjs, test/proxy-lifecycle.test.ts and the consumer test (apps/consumer-tests).
 * `create` gets the client package's module, so the consumer passes the one installed from its tarball.
 */
export const lifecycle = {
  client: '@imagegen/lumixai',
  create: (module, baseUrl) => module.createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false }),
  request: { prompt: 'a lighthouse at dusk', model: 'flux-kontext', aspectRatio: '1:1', extra: { resolution: '1k' } },
  /** What each size tier of bench-lifecycle.mjs changes in the request. */
  tiers: { '1k': { extra: { resolution: '1k' } }, '2k': { extra: { resolution: '2k' } }, '4k': { extra: { resolution: '4k' } } },
};
