// lumen in `pnpm bench` (bench-vs-prism.mjs): its routes, key and bodies, the same for our
// server and Prism, and its job life cycle (`lifecycle`). Found by its slug: every API the mock
// mounts has a file here.
export default (() => {
  // The dev key with every model and unlimited credits, so no request is refused for quota reasons.
  const headers = { authorization: 'Bearer sk-lumen-mock-dev' };
  // The page's quick-start submission.
  const taskBody = JSON.stringify({ model: 'gpt-image-2-low', prompt: 'a cute cat on a windowsill', size: '1024x1024', n: 1 });
  const create = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: taskBody };
  return {
    // The spec's server URL has no path: Prism serves the paths at its root, the mock at /lumen.
    prismBasePath: '',
    // Lumen has no public route: a poll without a key, the documented 401 on both servers (no
    // body, no state), says the API is up.
    ready: { method: 'GET', path: '/v1/images/generations/a1b2c3d4e5f6', headers: {}, status: 401 },
    // A real task on ours, so the poll answers 200 from state; Prism answers any id with its example.
    async prepare(baseUrl, serverName) {
      if (serverName === 'prism') return { taskId: 'a1b2c3d4e5f6' };
      const response = await fetch(`${baseUrl}/v1/images/generations`, create);
      const body = await response.json();
      if (response.status !== 200 || typeof body.id !== 'string') throw new Error(`could not create a task on ${serverName}: ${response.status} ${JSON.stringify(body)}`);
      return { taskId: body.id };
    },
    routes: [
      { name: 'GET /v1/images/generations/{id}', method: 'GET', path: (ctx) => `/v1/images/generations/${ctx.taskId}`, headers, status: 200 },
      { name: 'POST /v1/images/generations', path: () => '/v1/images/generations', ...create, status: 200 },
    ],
  };
})();

/**
 * Its job life cycle through the client's common `client.jobs` (the same loop for every API):
 * bench-lifecycle.mjs, test/proxy-lifecycle.test.ts and the consumer test (apps/consumer-tests).
 * `create` gets the client package's module, so the consumer passes the one installed from its tarball.
 */
export const lifecycle = {
  client: '@imagegen/lumen',
  create: (module, baseUrl) => module.createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false }),
  request: { prompt: 'a cute cat on a windowsill', model: 'gpt-image-2-low', aspectRatio: '1:1', extra: { resolution: '1K' } },
  /** What each size tier of bench-lifecycle.mjs changes in the request. */
  tiers: { '1k': { extra: { resolution: '1K' } }, '2k': { extra: { resolution: '2K' } }, '4k': { extra: { resolution: '4K' } } },
};
