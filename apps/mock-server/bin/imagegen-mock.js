#!/usr/bin/env node
// The `imagegen-mock` executable. Plain JavaScript and committed, so it exists before the first
// build (`pnpm install` on a fresh clone links it without a warning), and so an unsupported Node
// gets one line naming the Node needed and exit code 1, never a SyntaxError from inside the server.
let unsupportedNodeMessage;
try {
  ({ unsupportedNodeMessage } = await import('../dist/node-support.js'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  console.error('imagegen-mock: the package is not built (dist/ is missing); in the imagegen-contracts repository run: pnpm build');
  process.exit(1);
}
const problem = unsupportedNodeMessage();
if (problem !== undefined) {
  console.error(`imagegen-mock: ${problem}`);
  process.exit(1);
}
// Node 22.1+ keeps V8's compiled code between runs (in the OS temp folder); with it on, the bundle
// is require()d and cached by Node. Without it (Node 20) dist/bundle-loader.js keeps its own.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
await import('../dist/cli.js');
