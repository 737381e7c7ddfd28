// luma-agents in `pnpm bench` (bench-vs-prism.mjs): its routes, key and bodies, the same for our
// server and Prism, and its job life cycle (`lifecycle`). Found by its slug: every API the mock
// mounts has a file here.
export default (() => {
  // The dev key with unlimited balance and no rate limit, so no request is refused for quota reasons.
  const headers = { authorization: 'Bearer luma-api-mock-dev' };
  const body = { prompt: 'A glass of iced coffee on a marble countertop, morning light streaming through a window', aspect_ratio: '16:9' };
  const create = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) };
  return {
    // Prism serves the paths at its root; ours mounts them at /luma-agents/v1.
    prismBasePath: '',
    // No public read: start-up is timed to the first generation created.
    ready: { path: '/generations', ...create, status: 201 },
    // Ours: a real generation to poll, and one finished PNG and one JPEG whose presigned output
    // URLs are downloaded (an hour of validity outlasts any run). Prism is stateless: the
    // example id gets the documented example, and it serves no outputs.
    async prepare(baseUrl, serverName) {
      if (serverName === 'prism') return { generationId: '182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e' };
      const outputs = {};
      let generationId;
      for (const output_format of ['png', 'jpeg']) {
        const created = await fetch(`${baseUrl}/generations`, { ...create, body: JSON.stringify({ ...body, output_format }) });
        const { id } = await created.json();
        if (created.status !== 201 || typeof id !== 'string') throw new Error(`could not create a generation on ${serverName}: ${created.status}`);
        const polled = await (await fetch(`${baseUrl}/generations/${id}`, { headers })).json();
        if (polled.state !== 'completed') throw new Error(`generation ${id} is ${polled.state} on ${serverName}: is --timing instant?`);
        outputs[output_format] = polled.output[0].url;
        generationId = id;
      }
      return { generationId, outputs };
    },
    routes: [
      { name: 'GET /generations/{id}', method: 'GET', path: (ctx) => `/generations/${ctx.generationId}`, headers, status: 200 },
      { name: 'POST /generations', path: () => '/generations', ...create, status: 201 },
      // Not in the spec (presigned storage URLs), so ours only: no Authorization, a 2048x1152 image.
      { name: 'GET presigned PNG output', oursOnly: true, method: 'GET', url: (ctx) => ctx.outputs.png, headers: {}, status: 200 },
      { name: 'GET presigned JPEG output', oursOnly: true, method: 'GET', url: (ctx) => ctx.outputs.jpeg, headers: {}, status: 200 },
    ],
  };
})();

/**
 * Its job life cycle through the client's common `client.jobs` (the same loop for every API):
 * bench-lifecycle.mjs, test/proxy-lifecycle.test.ts and the consumer test (apps/consumer-tests).
 * `create` gets the client package's module, so the consumer passes the one installed from its tarball.
 */
export const lifecycle = {
  client: '@imagegen/luma-agents',
  create: (module, baseUrl) => module.createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false }),
  request: { prompt: 'A glass of iced coffee on a marble countertop', model: 'uni-1', aspectRatio: '1:1', extra: { output_format: 'png' } },
  /** Luma Agents makes 2048 px outputs only. */
  tiers: { '2k': {} },
};
