// One job life cycle per API, keyed by the slug the mock mounts it under: each new API adds one
// entry. Runs inside the temporary consumer project, against the packed packages only.
//
// run({ client, baseUrl }) gets the client package's module and the API's base URL on the mock,
// and returns what it downloaded; the test checks it is an image (PNG or JPEG) of its Content-Type.

export const LIFECYCLES = {
  lumixai: {
    client: '@imagegen/lumixai',
    async run({ client, baseUrl }) {
      const lumix = client.createLumixAIClient({ baseUrl, apiKey: 'air_live_mock_dev', retry: false });
      const created = await lumix.createJob({ model: 'imagen-nano-banana-2-flash', prompt: 'a lighthouse at dusk', aspectRatio: '1:1', resolution: '1k' });
      const statuses = [created.status];
      let job = created;
      for (let polls = 0; job.status !== 'done' && job.status !== 'error' && polls < 50; polls++) {
        job = await lumix.getJob(created.id);
        statuses.push(job.status);
      }
      if (job.status !== 'done') throw new Error(`job ${created.id} ended ${job.status}: ${JSON.stringify(job)}`);
      const image = await lumix.download(job.data[0].download_url);
      return { jobId: created.id, statuses, contentType: image.contentType, bytes: image.bytes };
    },
  },
  'useapi-luma': {
    client: '@imagegen/useapi-luma',
    async run({ client, baseUrl }) {
      const luma = client.createUseapiLumaClient({ baseUrl, token: 'useapi_mock_dev', retry: false });
      const batch = await luma.createImages({ prompt: 'a lighthouse at dusk', aspect_ratio: '1:1' });
      const statuses = [batch.status];
      let job;
      for (let polls = 0; job?.status !== 'completed' && job?.status !== 'failed' && polls < 50; polls++) {
        job = await luma.getJob(batch.jobids[0]);
        statuses.push(job.status);
      }
      if (job.status !== 'completed') throw new Error(`image job ${job.jobid} ended ${job.status}: ${JSON.stringify(job)}`);
      // The image URL is public, like the CDN's: no token.
      const image = await fetch(job.response.image.url);
      return { jobId: job.jobid, statuses, contentType: image.headers.get('content-type'), bytes: new Uint8Array(await image.arrayBuffer()) };
    },
  },
  lumozai: {
    client: '@imagegen/lumozai',
    async run({ client, baseUrl }) {
      // `Prefer: respond-async` makes the mock answer the run with its request_id alone, as the
      // documentation says a slow model does, so the life cycle polls /check.
      const preferAsync = (input, init) => {
        const request = new globalThis.Request(input, init);
        request.headers.set('Prefer', 'respond-async');
        return fetch(request);
      };
      const lumoz = client.createLumozAIClient({ baseUrl, apiKey: 'lmz_mock_dev', retry: false, fetch: preferAsync });
      const started = await lumoz.run({ model_id: 'hidream-l1', prompt: 'A beautiful sunset over mountains', guidance_scale: 7.5, num_inference_steps: 30 });
      if (started.finished) throw new Error(`the run was not answered by request_id alone: ${JSON.stringify(started)}`);
      const statuses = ['accepted'];
      let state;
      for (let polls = 0; state?.status !== 'completed' && polls < 50; polls++) {
        state = await lumoz.check(started.data.request_id);
        statuses.push(state.status);
      }
      if (state?.status !== 'completed') throw new Error(`request ${started.data.request_id} ended ${JSON.stringify(state)}`);
      const image = await lumoz.download(state.output);
      return { jobId: started.data.request_id, statuses, contentType: image.contentType, bytes: image.bytes };
    },
  },
  lumen: {
    client: '@imagegen/lumen',
    async run({ client, baseUrl }) {
      const lumen = client.createLumenClient({ baseUrl, apiKey: 'sk-lumen-mock-dev', retry: false });
      const created = await lumen.createGenerationTask({ model: 'gpt-image-2-low', prompt: 'a lighthouse at dusk', size: '1:1' });
      const statuses = [created.status];
      let task = created;
      for (let polls = 0; !client.isTerminalTask(task) && polls < 50; polls++) {
        task = await lumen.getTask(created.id);
        statuses.push(task.status);
      }
      if (task.status !== 'succeeded') throw new Error(`task ${created.id} ended ${task.status}: ${JSON.stringify(task)}`);
      // The image URL is on the mock's own origin, fetched without the key.
      const image = await lumen.downloadImage(task.data[0].url);
      return { jobId: created.id, statuses, contentType: image.contentType, bytes: image.bytes };
    },
  },
};
