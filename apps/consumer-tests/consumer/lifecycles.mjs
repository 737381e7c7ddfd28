// One job life cycle per API, through the interface every client shares (`client.jobs`): the same
// loop for the five vendors, keyed by the slug the mock mounts each API under. A new API adds one
// entry: its client package, how to build the client, and a request. Runs inside the temporary
// consumer project, against the packed packages only.
//
// run({ client, baseUrl }) gets the client package's module and the API's base URL on the mock,
// and returns what it downloaded; the test checks it is an image (PNG or JPEG) of its Content-Type.

const prompt = 'a lighthouse at dusk';

const CLIENTS = {
  lumixai: {
    client: '@imagegen/lumixai',
    create: (module, baseUrl) => module.createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false }),
    request: { prompt, model: 'imagen-nano-banana-2-flash', aspectRatio: '1:1' },
  },
  lumen: {
    client: '@imagegen/lumen',
    create: (module, baseUrl) => module.createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false }),
    request: { prompt, model: 'gpt-image-2-low', aspectRatio: '1:1' },
  },
  'luma-agents': {
    client: '@imagegen/luma-agents',
    create: (module, baseUrl) => module.createLumaAgentsClient({ baseUrl, apiKey: 'luma-api-mock-dev', retry: false }),
    request: { prompt, model: 'uni-1', aspectRatio: '1:1', extra: { output_format: 'png' } },
  },
  'useapi-luma': {
    client: '@imagegen/useapi-luma',
    create: (module, baseUrl) => module.createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false }),
    request: { prompt, model: 'photon-v2', aspectRatio: '1:1' },
  },
  lumozai: {
    client: '@imagegen/lumozai',
    create: (module, baseUrl) => module.createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false }),
    request: { prompt: 'A beautiful sunset over mountains', model: 'hidream-l1', extra: { guidance_scale: 7.5, num_inference_steps: 30 } },
    // The mock answers the run with its request_id alone, as the documentation says a slow model
    // does, so the life cycle polls /check.
    headers: { Prefer: 'respond-async' },
  },
};

/** Submit, poll until terminal, resume from the handle alone, download: the same for every vendor. */
async function lifecycle({ create, request, headers }, { client, baseUrl }) {
  const jobs = create(client, baseUrl).jobs;
  const pending = await jobs.submit(request, { headers });
  const statuses = ['submitted'];
  let status;
  for (let polls = 0; polls < 50; polls++) {
    status = await jobs.status(pending.handle);
    statuses.push(status.state);
    if (status.state !== 'queued' && status.state !== 'running') break;
  }
  if (status?.state !== 'succeeded') throw new Error(`${pending.handle} ended ${status?.state}: ${JSON.stringify(status?.raw)}`);
  // The handle is a plain string: a new client (another process, in real use) resumes from it.
  const done = await jobs.wait(pending.handle, { intervalMs: 10 });
  const [image] = await jobs.download(done);
  return { jobId: pending.id, statuses, contentType: image.contentType, bytes: image.bytes, width: image.width, height: image.height };
}

export const LIFECYCLES = Object.fromEntries(
  Object.entries(CLIENTS).map(([slug, entry]) => [slug, { client: entry.client, run: (context) => lifecycle(entry, context) }]),
);
