// lumozai in `pnpm bench` (bench-vs-prism.mjs): its routes, key and bodies, the same for our
// server and Prism, and its job life cycle (`lifecycle`). Found by its slug: every API the mock
// mounts has a file here.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { URLSearchParams } from 'node:url';

export default (() => {
  // Every LumozAI key has an hourly limit (the dev key 100000): the bench brings its own key with
  // room for any BENCH_DURATION, so no request is refused for quota reasons.
  const key = 'lmz_bench_unmetered';
  const headers = { authorization: `Bearer ${key}`, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' };
  // The documentation's hidream-l1 curl example, as curl's -d sends it.
  const runBody = new URLSearchParams({
    model_id: 'hidream-l1',
    prompt: 'A beautiful sunset over mountains',
    negative_prompt: 'blurry, low quality',
    guidance_scale: '7.5',
    num_inference_steps: '30',
  }).toString();
  return {
    prismBasePath: '',
    mockConfig: { keys: [{ key, requestsPerHour: 1_000_000_000 }] },
    // No public operation: a request without a key is answered 401 by both servers, statelessly.
    ready: { method: 'POST', path: '/run', headers: { accept: 'application/json' }, status: 401 },
    // A real run on ours (instant timing: completed at once), so the check answers 200 from state;
    // Prism is stateless: the documented id gets the documented example.
    async prepare(baseUrl, serverName) {
      if (serverName === 'prism') return { requestId: 212121212121212 };
      const response = await fetch(`${baseUrl}/run`, { method: 'POST', headers, body: runBody });
      const body = await response.json();
      if (response.status !== 200 || typeof body.data?.request_id !== 'number') throw new Error(`could not run on ${serverName}: ${response.status} ${JSON.stringify(body)}`);
      return { requestId: body.data.request_id };
    },
    routes: [
      { name: 'POST /run', method: 'POST', path: () => '/run', headers, body: runBody, status: 200 },
      { name: 'POST /check', method: 'POST', path: () => '/check', headers, body: (ctx) => `request_id=${ctx.requestId}`, status: 200 },
    ],
  };
})();

/**
 * Its job life cycle through the client's common `client.jobs` (the same loop for every API):
 * bench-lifecycle.mjs, test/proxy-lifecycle.test.ts and the consumer test (apps/consumer-tests).
 * `create` gets the client package's module, so the consumer passes the one installed from its tarball.
 */
export const lifecycle = {
  client: '@imagegen/lumozai',
  create: (module, baseUrl) => module.createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false }),
  request: { prompt: 'A beautiful sunset over mountains', model: 'hidream-l1', extra: { guidance_scale: 7.5, num_inference_steps: 30 } },
  // The mock answers the run with its request_id alone, as the documentation says a slow model
  // does, so the life cycle polls /check.
  headers: { Prefer: 'respond-async' },
  /** Per size tier, a model of the catalog `benchConfig` gives the mock (the shipped ones make 1024 px images). */
  tiers: { '1k': { model: 'bench-1k' }, '2k': { model: 'bench-2k' }, '4k': { model: 'bench-4k' } },
  /** `apis.lumozai` of the benchmarked mock: a catalog with one model per tier, written to `folder`. */
  benchConfig(folder) {
    const shipped = JSON.parse(readFileSync(new URL('../../data/lumozai/models.json', import.meta.url), 'utf8'));
    const base = shipped.models.find((model) => model.model_id === 'hidream-l1');
    const side = { '1k': 1024, '2k': 2048, '4k': 4096 };
    const models = Object.entries(side).map(([tier, px]) => ({ ...base, model_id: `bench-${tier}`, output_size: { width: px, height: px } }));
    const modelsFile = join(folder, 'models.json');
    writeFileSync(modelsFile, JSON.stringify({ models }));
    return { modelsFile };
  },
};
