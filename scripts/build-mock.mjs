// Builds what `pnpm start` and `pnpm bench` run (the mock server, the specs as JSON, the docs pages),
// saying so first and showing each task as turbo runs it: the first build takes about a minute on
// a 2-core machine, later ones are cache hits and print only turbo's summary.
import { spawnSync } from 'node:child_process';
import process from 'node:process';

console.log('imagegen: building the mock server, specs and docs (about a minute the first time, cached afterwards)...');
const result = spawnSync('turbo', ['run', 'build', '--filter=@imagegen/mock-server...', '--output-logs=new-only'], { stdio: 'inherit' });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
