// The build that `imagegen-mock` and the package entry load: dist/bundle.cjs, the package's exports
// and the command line (src/bundle-entry.ts) as one CommonJS file with every dependency inside, made
// after tsc has written dist/ (declarations, and the modules scripts and tests import one by one).
// dist/index.js and dist/cli.js are then rewritten to load it through src/bundle-loader.ts, which
// keeps V8's compiled code of it between runs (CommonJS because only a script, not an ES module,
// can be given V8's cached data on Node 20).
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
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { rolldown } from 'rolldown';

const PKG_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(PKG_DIR, 'dist');
const VALIDATOR_REQUIRE = join(PKG_DIR, 'src', 'core', 'openapi-validator', 'validator-require.ts');
const CLONE_DOCUMENT = join(PKG_DIR, 'src', 'core', 'openapi-validator', 'clone-document.ts');
/** The module the validator's `require('lodash.clonedeep')` gets in the bundle (a CommonJS function export, as lodash's). */
const CLONE_DOCUMENT_SHIM = '\0validator-clone-document';
/** The bundle's file name in dist/. */
const BUNDLE_FILE = 'bundle.cjs';
/** Exported by the bundle for dist/cli.js, not by the package. */
const CLI_EXPORT = 'runCli';

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

// tsc's own dist/index.js and dist/cli.js are replaced below: their maps would describe other code.
for (const file of readdirSync(DIST)) if (/^(index|cli)\.js\.map$/.test(file)) rmSync(join(DIST, file));

const bundle = await rolldown({
  input: { bundle: join(PKG_DIR, 'src', 'bundle-entry.ts') },
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
    {
      // The validator's deep copies of each document made with structuredClone (clone-document.ts
      // says why and when lodash's is still used); lodash's own copy stays reachable from there.
      name: 'validator-clone-document',
      resolveId(source, importer) {
        return source === 'lodash.clonedeep' && importer !== undefined && importer.startsWith(dirname(validatorEntry) + '/') ? CLONE_DOCUMENT_SHIM : undefined;
      },
      load(id) {
        return id === CLONE_DOCUMENT_SHIM ? { code: `module.exports = require(${JSON.stringify(CLONE_DOCUMENT)}).cloneDocument;`, moduleType: 'js' } : undefined;
      },
    },
  ],
});
const { output } = await bundle.write({
  dir: DIST,
  format: 'cjs',
  // ASCII, so src/bundle-loader.ts reads it as Latin-1 rather than decoding UTF-8 (about 6 ms of
  // each start): other characters escaped, and JSDoc (where the rest were) left to the source map.
  charset: 'ascii',
  comments: { legal: true, annotation: true, jsdoc: false },
  // What the ES modules it is made of were: strict, as the ESM bundle it replaces ran all of it.
  strict: true,
  sourcemap: true,
  entryFileNames: BUNDLE_FILE,
});
await bundle.close();
const chunks = output.filter((file) => file.type === 'chunk');
if (chunks.length !== 1) throw new Error(`bundle: expected one file, rolldown wrote ${chunks.map((chunk) => chunk.fileName).join(', ')}`);
const [chunk] = chunks;
if (!isAscii(Buffer.from(chunk.code))) {
  let at = 0;
  while (chunk.code.charCodeAt(at) <= 0x7f) at++;
  throw new Error(`bundle: a character outside ASCII is left (${JSON.stringify(chunk.code.slice(Math.max(0, at - 60), at + 20))}); the loader would read the bundle as UTF-8, slower`);
}

// The two entries: the same exports as src/index.ts (its declarations stay tsc's), and the CLI.
const buildHash = createHash('sha256').update(chunk.code).digest('hex');
const header = '// Written by scripts/bundle.mjs: loads dist/bundle.cjs (src/bundle-loader.ts says how and why).\n';
const load = `import { loadBundle } from './bundle-loader.js';\n\nconst bundle = loadBundle(${JSON.stringify(buildHash)});\n`;
const names = chunk.exports.filter((name) => name !== CLI_EXPORT);
if (names.length === chunk.exports.length) throw new Error(`bundle: src/bundle-entry.ts no longer exports ${CLI_EXPORT}`);
writeFileSync(join(DIST, 'index.js'), `${header}${load}export const { ${names.join(', ')} } = bundle;\n`);
// The command line is checked by dist/cli-args.js (tsc's, not bundled) before the bundle loads: a
// mistake in a flag is answered without loading the server.
const checkFirst = `import { checkCommandLine } from './cli-args.js';\nimport { loadBundle } from './bundle-loader.js';\n\nif (checkCommandLine()) loadBundle(${JSON.stringify(buildHash)}, { longRunning: true }).${CLI_EXPORT}();\n`;
writeFileSync(join(DIST, 'cli.js'), `#!/usr/bin/env node\n${header}${checkFirst}`);

// Each internal the patches reach must be the module the validator's own code loads: the file it
// resolves to, bundled (under its real path, as the validator's requires are).
const bundled = new Set(chunk.moduleIds);
if (!bundled.has(CLONE_DOCUMENT_SHIM)) throw new Error('bundle: the validator no longer requires lodash.clonedeep, so clone-document.ts reaches nothing: drop the validator-clone-document plugin, or map what it requires now');
for (const id of VALIDATOR_INTERNALS) {
  const file = realpathSync(requireFromValidator.resolve(id));
  if (!bundled.has(file)) throw new Error(`bundle: ${id} (${file}), which core/openapi-validator/ patches, is not in the bundle`);
}
process.stdout.write(`bundle: dist/${chunk.fileName} ${Math.round(chunk.code.length / 1024)} KiB, ${names.length} exports\n`);
