// Builds the library packages in one process: every packages/* package with a tsconfig.build.json
// and no `build` script of its own (the clients, client-kit, ai-sdk), each from an empty dist/, in
// the order of their dependencies on each other. What `node ../../scripts/clean-dist.mjs && tsc -p
// tsconfig.build.json --noCheck` did per package, byte for byte the same dist/.
//
//   node scripts/build-packages.mjs            the root turbo task //#build-packages
//   node scripts/build-packages.mjs <dir>...   those packages only, in the order given
//
// Why one process: each package's own files are a few dozen, but every tsc process first read and
// parsed the same ~180 declaration files (TypeScript's lib, Node's types, openapi-fetch, the specs'
// generated types): about 1.7 s of CPU per package, plus 0.4 s for the pnpm that turbo starts per
// task. Here a file outside the packages being built is parsed once and its syntax tree given to
// every package's program, as TypeScript's language service shares them between projects; each
// program still binds and emits on its own.
//
// A package that imports another workspace package this does not build (conformance imports the
// mock server) keeps a `build` script and its own turbo task, and turbo.json's //#build-packages
// leaves its dist/ out of its outputs; the check below says so when one is missing.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

import ts from 'typescript';

import { ROOT, workspacePackages } from './tarballs.mjs';

const PACKAGES_DIR = join(ROOT, 'packages');
const BUILD_CONFIG = 'tsconfig.build.json';

/** The packages the root task builds, dependencies first; a package it cannot build is an error. */
export function libraryPackages({ packages = workspacePackages(), turboJson = readFileSync(join(ROOT, 'turbo.json'), 'utf8') } = {}) {
  const inPackages = packages.filter((pkg) => pkg.dir.startsWith(PACKAGES_DIR + sep));
  const ours = inPackages.filter((pkg) => pkg.manifest.scripts?.build === undefined && existsSync(join(pkg.dir, BUILD_CONFIG)));
  const names = new Set(ours.map((pkg) => pkg.manifest.name));
  const workspaceNames = new Set(packages.map((pkg) => pkg.manifest.name));
  const problems = [];
  for (const pkg of inPackages.filter((other) => !names.has(other.manifest.name) && other.manifest.scripts?.build !== undefined)) {
    const glob = `!${relative(ROOT, pkg.dir)}/dist/**`;
    if (!turboJson.includes(JSON.stringify(glob))) problems.push(`${pkg.manifest.name} builds itself: add "${glob}" to the outputs of //#build-packages in turbo.json`);
  }
  const deps = new Map();
  for (const pkg of ours) {
    const needed = Object.keys({ ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies }).filter((dep) => workspaceNames.has(dep));
    // Without it the package's `build` task does nothing and waits for nothing: a test using it could start before it is built.
    const ownTurbo = join(pkg.dir, 'turbo.json');
    if (!existsSync(ownTurbo) || !readFileSync(ownTurbo, 'utf8').includes('"//#build-packages"')) {
      problems.push(`${pkg.manifest.name} has no build script, so its turbo.json must make its build depend on "//#build-packages" (copy packages/lumen/turbo.json)`);
    }
    const foreign = needed.filter((dep) => !names.has(dep) && dep !== '@imagegen/spec');
    if (foreign.length > 0) problems.push(`${pkg.manifest.name} imports ${foreign.join(', ')}, which //#build-packages does not build first: give it a "build" script of its own`);
    deps.set(pkg.manifest.name, needed.filter((dep) => names.has(dep)));
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));

  const ordered = [];
  const state = new Map();
  const visit = (pkg, path) => {
    const name = pkg.manifest.name;
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`the library packages depend on each other in a cycle: ${[...path, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of deps.get(name)) visit(ours.find((other) => other.manifest.name === dep), [...path, name]);
    state.set(name, 'done');
    ordered.push(pkg);
  };
  for (const pkg of ours) visit(pkg, []);
  return ordered;
}

const formatHost = { getCanonicalFileName: (file) => file, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' };

/**
 * Builds each package directory in turn with its tsconfig.build.json and --noCheck, sharing the
 * syntax trees of files that none of them writes. Returns the error count (diagnostics are printed).
 */
export function buildPackages(dirs, { log = (line) => console.log(line) } = {}) {
  const outDirs = [];
  const shared = new Map();
  let errors = 0;
  for (const dir of dirs) {
    const configPath = join(dir, BUILD_CONFIG);
    const diagnostics = [];
    const parsed = ts.getParsedCommandLineOfConfigFile(configPath, { noCheck: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => diagnostics.push(diagnostic) });
    if (parsed === undefined) {
      errors += report(diagnostics);
      continue;
    }
    const outDir = parsed.options.outDir;
    if (outDir === undefined || !resolve(outDir).startsWith(resolve(dir) + sep)) throw new Error(`${configPath}: outDir must be a folder inside the package (it is emptied first), got ${outDir}`);
    // tsc only adds and overwrites: a deleted source's .js and .map would stay (clean-dist.mjs says why it matters).
    rmSync(outDir, { recursive: true, force: true });
    outDirs.push(resolve(outDir) + sep);

    const host = ts.createCompilerHost(parsed.options);
    const readSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
      // A package's own sources and every dist/ written here are read fresh; the rest is the same text for all.
      const shareable = !dirs.some((own) => fileName.startsWith(resolve(own) + sep) && !fileName.includes(`${sep}node_modules${sep}`)) && !outDirs.some((out) => fileName.startsWith(out));
      const key = `${fileName}\0${JSON.stringify(languageVersionOrOptions)}`;
      if (shareable && !shouldCreateNewSourceFile && shared.has(key)) return shared.get(key);
      const sourceFile = readSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
      if (shareable && sourceFile !== undefined) shared.set(key, sourceFile);
      return sourceFile;
    };
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, host, configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed), projectReferences: parsed.projectReferences });
    // The diagnostics tsc reports, in its order (executeCommandLine's emitFilesAndReportErrors).
    diagnostics.push(...program.getConfigFileParsingDiagnostics());
    const before = diagnostics.length;
    diagnostics.push(...program.getSyntacticDiagnostics());
    if (diagnostics.length === before) {
      diagnostics.push(...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics());
      if (diagnostics.length === before) diagnostics.push(...program.getSemanticDiagnostics());
    }
    const emitted = program.emit();
    diagnostics.push(...emitted.diagnostics);
    const failed = report(diagnostics);
    errors += failed;
    if (failed === 0) log(`build-packages: ${relative(ROOT, dir) || '.'} -> ${relative(ROOT, outDir)}`);
  }
  return errors;
}

function report(diagnostics) {
  const format = process.stderr.isTTY ? ts.formatDiagnosticsWithColorAndContext : ts.formatDiagnostics;
  if (diagnostics.length > 0) process.stderr.write(format(diagnostics, formatHost));
  return diagnostics.filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error).length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const dirs = process.argv.length > 2 ? process.argv.slice(2).map((dir) => resolve(dir)) : libraryPackages().map((pkg) => pkg.dir);
    const errors = buildPackages(dirs);
    if (errors > 0) {
      console.error(`build-packages: ${errors} error(s)`);
      process.exit(1);
    }
  } catch (error) {
    console.error(`build-packages: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
