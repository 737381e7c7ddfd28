// One job life cycle per API, keyed by the slug the mock mounts it under: each new API adds one
// entry. Runs inside the temporary consumer project, against the packed packages only.
//
// run({ client, baseUrl }) gets the client package's module and the API's base URL on the mock,
// and returns what it downloaded; the test checks it is a PNG.

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
};
