// What scripts/bundle.mjs bundles into dist/bundle.cjs: the package's exports and the command line,
// one file for both, so `import` and `imagegen-mock` share one compiled (and compile-cached) bundle.
export * from './index.js';
export { runCli } from './run-cli.js';
