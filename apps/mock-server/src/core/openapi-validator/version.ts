import { installedValidatorVersion } from './validator-require.js';

/**
 * The express-openapi-validator versions the mock's coupling was written and tested against: the
 * patches of this folder (middleware.ts lists them) reach into its internals, and `errors.ts` reads
 * its error paths, codes and English messages. `test/openapi-validator.test.ts` and
 * `test/lean-paths.test.ts` prove them against the installed copy; after an upgrade run them, fix
 * what fails, then widen this.
 */
export const TESTED_VALIDATOR_VERSIONS = { major: 5, minMinor: 6 } as const;

export { installedValidatorVersion, validatorRequire } from './validator-require.js';

/**
 * Refuses a validator version the coupling was not tested against, naming what to do, instead of
 * patching internals that may have moved or misreading messages that may have changed.
 */
export function checkValidatorVersion(version = installedValidatorVersion()): void {
  const [major, minor] = version.split('.').map(Number);
  const { major: testedMajor, minMinor } = TESTED_VALIDATOR_VERSIONS;
  if (major === testedMajor && minor !== undefined && minor >= minMinor) return;
  throw new Error(
    `express-openapi-validator ${version} is installed, but the mock's patches and error parsing were tested with ${testedMajor}.${minMinor}+ below ${testedMajor + 1}: ` +
      'run apps/mock-server/test/openapi-validator.test.ts, fix apps/mock-server/src/core/openapi-validator/, then update TESTED_VALIDATOR_VERSIONS',
  );
}
