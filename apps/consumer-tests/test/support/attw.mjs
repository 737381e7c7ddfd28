// `attw <tarball> --profile esm-only --no-definitely-typed` for every tarball given, in one
// process, through the CLI's own analysis, report and exit code: TypeScript loads once for the set
// instead of once per tarball (a second of CPU each). Prints { [tarball]: { report, code } }.
// A plain Node process: under vitest, Node would resolve @arethetypeswrong/core with the
// `development` condition, to TypeScript sources it cannot load.
import { readFile } from 'node:fs/promises';

import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { getExitCode } from '@arethetypeswrong/cli/internal/getExitCode';
import { typed, untyped } from '@arethetypeswrong/cli/internal/render';

/** What `--profile esm-only` sets (the CLI's profiles.js), and the flags the report is printed with. */
const ESM_ONLY = { ignoreResolutions: ['node10', 'node16-cjs'], format: 'ascii', color: false, emoji: false };

const results = {};
for (const tarball of process.argv.slice(2)) {
  const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(await readFile(tarball))));
  results[tarball] = analysis.types ? { report: await typed(analysis, ESM_ONLY), code: getExitCode(analysis, ESM_ONLY) } : { report: untyped(analysis), code: 0 };
}
console.log(JSON.stringify(results));
