// One job life cycle per API, through the interface every client shares (`client.jobs`): the same
// loop for every vendor, keyed by the slug the mock mounts each API under. Each API's client
// package, how to build the client and its request come from its own file, lifecycles/<slug>.mjs
// (the mock's bench/apis/<slug>.mjs, copied in by the test): no list to edit here. Runs inside the
// temporary consumer project, against the packed packages only.
//
// lifecycleOf(slug) is undefined for an API with no such file; run({ client, baseUrl }) gets the
// client package's module and the API's base URL on the mock, and returns what it downloaded; the
// test checks it is an image (PNG or JPEG) of its Content-Type.
import { existsSync } from 'node:fs';

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

/** The API's life cycle, from lifecycles/<slug>.mjs. */
export async function lifecycleOf(slug) {
  const file = new URL(`./lifecycles/${slug}.mjs`, import.meta.url);
  if (!existsSync(file)) return undefined;
  const entry = (await import(file.href)).lifecycle;
  return { client: entry.client, run: (context) => lifecycle(entry, context) };
}
