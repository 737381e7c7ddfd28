// Runs inside the temporary consumer project: imports every installed package that has a JavaScript
// entry point, then runs each mounted API's job life cycle against the mock at argv[2]. Prints one
// JSON report on stdout; the test reads it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { lifecycleOf } from './lifecycles.mjs';

const mockUrl = process.argv[2];
const require = createRequire(import.meta.url);
const { devDependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const imports = {};
for (const name of Object.keys(devDependencies).filter((dependency) => dependency.startsWith('@imagegen/'))) {
  const manifest = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8'));
  if (!manifest.exports?.['.']) continue; // data only (specs, rendered docs)
  try {
    imports[name] = { exports: Object.keys(await import(name)).sort() };
  } catch (error) {
    imports[name] = { error: String(error?.stack ?? error) };
  }
}

const { apis } = await (await fetch(`${mockUrl}/`)).json();
const lifecycles = {};
for (const api of apis) {
  const lifecycle = await lifecycleOf(api.slug);
  if (!lifecycle) {
    lifecycles[api.slug] = { error: `no life cycle for ${api.slug}: export one as 'lifecycle' from apps/mock-server/bench/apis/${api.slug}.mjs` };
    continue;
  }
  try {
    const { bytes, ...rest } = await lifecycle.run({ client: await import(lifecycle.client), baseUrl: api.baseUrl });
    const view = Buffer.from(bytes);
    // The mock's own reader of its placeholders, from its installed tarball: PNG or JPEG, and the size.
    const { format, width, height } = (await import('@imagegen/mock-server')).imageSize(view);
    lifecycles[api.slug] = { ...rest, client: lifecycle.client, byteLength: view.length, signature: view.subarray(0, 8).toString('hex'), format, width, height };
  } catch (error) {
    lifecycles[api.slug] = { error: String(error?.stack ?? error) };
  }
}

console.log(JSON.stringify({ imports, lifecycles }));
