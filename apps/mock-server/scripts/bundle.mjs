// The build that `imagegen-mock` and the package entry load: dist/index.js and dist/cli.js as one
// bundle (their shared code in one chunk beside them) with every dependency inside, made after tsc
// has written dist/ (declarations, and the modules scripts and tests import one by one).
//
// Why: loading the mock module by module (Express, express-openapi-validator, Ajv and ~300 more
// files, each resolved, read and compiled on its own) was about half of its CPU from `import` to
// every API answered. One file per entry takes a fraction of that.
//
// express-openapi-validator is bundled with the rest, so core/openapi-validator/'s patches must
// reach the copies bundled with it: the module that hands them out (validator-require.ts) is
// replaced here by one requiring the same files the validator's own code requires, which the
// bundler turns into the very same module instances; the build fails if any of them was bundled
// twice. Source maps point at src/ (shipped) and carry the dependencies' sources inline.
import { readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { rolldown } from 'rolldown';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(PKG_DIR, 'dist');
const VALIDATOR_REQUIRE = join(PKG_DIR, 'src', 'core', 'openapi-validator', 'validator-require.ts');
/** Prefix of every chunk the bundle writes (the entries keep their own names). */
const CHUNK_PREFIX = 'bundle-';

const { VALIDATOR_INTERNALS } = await import(new URL('../dist/core/openapi-validator/validator-require.js', import.meta.url).href);
const validatorEntry = createRequire(join(PKG_DIR, 'package.json')).resolve('express-openapi-validator');
const requireFromValidator = createRequire(validatorEntry);
const validatorVersion = JSON.parse(readFileSync(join(dirname(validatorEntry), '..', 'package.json'), 'utf8')).version;

/** validator-require.ts for the bundle: the validator's internals as bundled, its version as built. */
function bundledValidatorRequire() {
  const cases = VALIDATOR_INTERNALS.map((id) => `    case ${JSON.stringify(id)}: return require(${JSON.stringify(requireFromValidator.resolve(id))});`);
  return [
    `export const VALIDATOR_INTERNALS = ${JSON.stringify(VALIDATOR_INTERNALS)};`,
    'export function validatorRequire(id) {',
    '  switch (id) {',
    ...cases,
    '    default: throw new Error(`express-openapi-validator internal ${id} is not in the bundle: list it in VALIDATOR_INTERNALS`);',
    '  }',
    '}',
    `export function installedValidatorVersion() { return ${JSON.stringify(validatorVersion)}; }`,
  ].join('\n');
}

// Chunks of an earlier build would otherwise pile up in dist/.
for (const file of readdirSync(DIST)) if (file.startsWith(CHUNK_PREFIX)) rmSync(join(DIST, file));

const bundle = await rolldown({
  input: { index: join(PKG_DIR, 'src', 'index.ts'), cli: join(PKG_DIR, 'src', 'cli.ts') },
  platform: 'node',
  cwd: PKG_DIR,
  tsconfig: join(PKG_DIR, 'tsconfig.build.json'),
  logLevel: 'warn',
  plugins: [
    {
      name: 'bundled-validator-internals',
      load(id) {
        return id === VALIDATOR_REQUIRE ? { code: bundledValidatorRequire(), moduleType: 'js' } : undefined;
      },
    },
  ],
});
const { output } = await bundle.write({
  dir: DIST,
  format: 'esm',
  sourcemap: true,
  entryFileNames: '[name].js',
  chunkFileNames: `${CHUNK_PREFIX}[hash].js`,
});
await bundle.close();

// Each internal the patches reach must be the module the validator's own code loads: the file it
// resolves to, bundled (under its real path, as the validator's requires are).
const bundled = new Set(output.flatMap((file) => (file.type === 'chunk' ? file.moduleIds : [])));
for (const id of VALIDATOR_INTERNALS) {
  const file = realpathSync(requireFromValidator.resolve(id));
  if (!bundled.has(file)) throw new Error(`bundle: ${id} (${file}), which core/openapi-validator/ patches, is not in the bundle`);
}
process.stdout.write(`bundle: ${output.filter((file) => file.type === 'chunk').map((file) => `dist/${file.fileName} ${Math.round(file.code.length / 1024)} KiB`).join(', ')}\n`);
