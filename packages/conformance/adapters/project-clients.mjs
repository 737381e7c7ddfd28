// The project's own clients as a conformance subject:
// `imagegen-conformance --module adapters/project-clients.mjs`. Each goes through the common job
// interface (`client.jobs.generate`: submit, wait, download). A vendor's client is found by its
// slug, not listed here: the package `@imagegen/<slug>`, built as its package.json's `imagegen`
// field says (the factory's name and the option the key goes in), the same field the README's
// client snippet is generated from. Resolves when the image is written to env.output; throws the
// client's own error otherwise.
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The vendor's client against env.baseUrl with env.apiKey. */
async function clientOf({ vendor, baseUrl, apiKey }) {
  const name = `@imagegen/${vendor}`;
  let manifest;
  let module;
  try {
    manifest = require(`${name}/package.json`);
    module = await import(name);
  } catch (error) {
    throw new Error(`no project client for ${vendor}: ${name} is not installed`, { cause: error });
  }
  const factory = manifest.imagegen;
  if (typeof module[factory?.client] !== 'function') throw new Error(`${name}'s package.json names no client factory it exports ("imagegen": { "client": ... })`);
  return module[factory.client]({ baseUrl, [factory.keyOption]: apiKey });
}

/** Whether the vendor's client has the common job interface (`client.jobs`). */
export async function hasJobInterface(env) {
  return typeof (await clientOf(env)).jobs?.generate === 'function';
}

export default async function projectClients(env) {
  const jobs = (await clientOf(env)).jobs;
  if (typeof jobs?.generate !== 'function') throw new Error(`the ${env.vendor} client has no common job interface (client.jobs.generate)`);
  const { images } = await jobs.generate({ prompt: env.prompt }, { wait: { timeoutMs: env.timeoutMs } });
  await writeFile(env.output, images[0].bytes);
}
