#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { loadConfig } from './config/load-config.js';
import { createMockServer } from './create-mock-server.js';
import type { TimingMode } from './core/timing.js';
import { batchedLineWriter } from './batched-line-writer.js';
import { serve } from './serve.js';

const USAGE = `Usage: imagegen-mock [--port 4010] [--host 127.0.0.1] [--config file.json] [--timing realistic|instant] [--quiet]

Serves every API at http://<host>:<port>/<slug><base path>, its docs at /docs/<slug>, and a JSON
list of both at /. Settings: --config, or IMAGEGEN_MOCK_CONFIG (file) / IMAGEGEN_MOCK_CONFIG_JSON.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '4010' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      timing: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  const config = loadConfig(values.config);
  const timing = (values.timing ?? config.timing ?? 'realistic') as TimingMode;
  if (typeof timing === 'string' && timing !== 'instant' && timing !== 'realistic') {
    throw new Error(`--timing must be instant or realistic, got ${timing}`);
  }

  const mock = createMockServer({
    ...config,
    timing,
    log: values.quiet ? undefined : batchedLineWriter(process.stdout),
  });
  const running = await serve(mock, { port, host: values.host });

  const lines = [`imagegen mock server listening on ${running.url}  (timing: ${typeof timing === 'string' ? timing : 'fixed'})`, `  docs index: ${running.url}/docs`];
  for (const api of mock.apis) {
    lines.push('', `  ${api.title} [${api.slug}]`, `    base URL: ${running.url}${api.basePath}`, `    docs:     ${running.url}${api.docsPath}`);
    for (const key of api.devKeys) lines.push(`    key:      ${key.key}${key.description ? `  (${key.description})` : ''}`);
  }
  console.log(lines.join('\n'));

  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`imagegen-mock: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
