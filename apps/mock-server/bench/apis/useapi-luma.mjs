// useapi-luma in `pnpm bench` (bench-vs-prism.mjs): its routes, key and bodies, the same for our
// server and Prism, and its job life cycle (`lifecycle`). Found by its slug: every API the mock
// mounts has a file here.
export default (() => {
  // The dev token: user@example.com runs 4 batches at once, and under `--timing instant` every
  // batch settles as it is created, so no request meets the capacity 429.
  const headers = { authorization: 'Bearer useapi_mock_dev' };
  const fields = { prompt: 'A photorealistic portrait of an astronaut on Mars', model: 'photon-v2', resolution: '1080p', aspect_ratio: '16:9' };
  const json = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(fields) };
  // The same fields as multipart/form-data, written out once so every request sends the same bytes.
  const boundary = 'imagegen-bench-boundary';
  const multipartBody = `${Object.entries(fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('')}--${boundary}--\r\n`;
  const multipart = { method: 'POST', headers: { ...headers, 'content-type': `multipart/form-data; boundary=${boundary}` }, body: multipartBody };
  return {
    prismBasePath: '',
    // Every operation needs a token: without one both servers answer the documented 401, which says
    // the API is up (the ready request carries no body, and ids differ between the two servers).
    ready: { method: 'GET', path: '/jobs/j0326140530123456789i-u12345-email:user@example.com:b2c3d4e5-f6a7-8901-bcde-f23456789012-bot:luma', headers: {}, status: 401 },
    // A real batch on ours, polled by one of its image ids (raw `:` and `@`, as the page sends it);
    // Prism is stateless: the spec's example id gets the documented example.
    async prepare(baseUrl, serverName) {
      if (serverName === 'prism') return { jobid: 'j0326140530123456789i-u12345-email:user@example.com:b2c3d4e5-f6a7-8901-bcde-f23456789012-bot:luma' };
      const response = await fetch(`${baseUrl}/images`, json);
      const body = await response.json();
      if (response.status !== 200 || !Array.isArray(body.jobids)) throw new Error(`could not create a batch on ${serverName}: ${response.status} ${JSON.stringify(body)}`);
      return { jobid: body.jobids[0] };
    },
    routes: [
      { name: 'POST /images (JSON)', path: () => '/images', ...json, status: 200 },
      { name: 'POST /images (multipart)', path: () => '/images', ...multipart, status: 200 },
      { name: 'GET /jobs/{jobid}', method: 'GET', path: (ctx) => `/jobs/${ctx.jobid}`, headers, status: 200 },
    ],
  };
})();

/**
 * Its job life cycle through the client's common `client.jobs` (the same loop for every API):
 * bench-lifecycle.mjs, test/proxy-lifecycle.test.ts and the consumer test (apps/consumer-tests).
 * `create` gets the client package's module, so the consumer passes the one installed from its tarball.
 */
export const lifecycle = {
  client: '@imagegen/useapi-luma',
  create: (module, baseUrl) => module.createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false }),
  request: { prompt: 'a lighthouse at dusk', model: 'photon-v2', aspectRatio: '1:1', extra: { resolution: '1080p' } },
  /** 1080p at 1:1 is 1080x1080, the nearest to 1k it makes; its largest is 1080p. */
  tiers: { '1k': {} },
};
