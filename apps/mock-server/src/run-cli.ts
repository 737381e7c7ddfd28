// The `imagegen-mock` command line (src/cli.ts runs it). Kept apart from that entry so the package's
// one bundle (scripts/bundle.mjs) carries it beside the library: the CLI and `import` then load,
// and compile-cache, the same file.
import { writeFileSync } from 'node:fs';

import { API_SLUGS } from './apis/registry.js';
import type { ApiSlug } from './apis/registry.js';
import { loadConfig } from './config/load-config.js';
import { createMockServer } from './create-mock-server.js';
import type { TimingMode } from './core/timing.js';
import { batchedLineWriter } from './batched-line-writer.js';
import { USAGE, UsageError, checkTimingFlag, parseCommandLine, portOf, reportCliError } from './cli-args.js';
import { DEFAULT_DRAIN_MS, serve } from './serve.js';

/** Where proxy mode writes its drift report at exit unless --drift-file says otherwise. */
const DEFAULT_DRIFT_FILE = 'imagegen-drift.json';

/** `--upstream lumen=https://lumen.mengfanlab.top`, each naming a known API once. */
function parseUpstreams(args: readonly string[]): { [S in ApiSlug]?: string } {
  const upstreams: { [S in ApiSlug]?: string } = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    const slug = arg.slice(0, Math.max(at, 0));
    if (at < 1 || !(API_SLUGS as readonly string[]).includes(slug)) {
      throw new UsageError(`--upstream must be <slug>=<url> with a slug of ${API_SLUGS.join(', ')}, got '${arg}'`);
    }
    if (upstreams[slug as ApiSlug] !== undefined) throw new UsageError(`--upstream names ${slug} twice`);
    upstreams[slug as ApiSlug] = arg.slice(at + 1);
  }
  return upstreams;
}

async function main(): Promise<void> {
  const { values } = parseCommandLine();
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = portOf(values);
  checkTimingFlag(values.timing);
  const config = loadConfig(values.config);
  const timing = (values.timing ?? config.timing ?? 'realistic') as TimingMode;

  // A flag wins over the same setting in the config file.
  const { driftFile: configDriftFile, record: configRecord, ...settings } = config;
  const upstreams = { ...config.upstreams, ...parseUpstreams(values.upstream ?? []) };
  const proxying = Object.keys(upstreams).length > 0;
  const record = values.record ?? configRecord;
  if (record !== undefined && !proxying) {
    throw new UsageError(`${values.record === undefined ? '"record" in the config' : '--record'} records proxied exchanges: add --upstream <slug>=<url> (or "upstreams" in the config)`);
  }
  if (values.proxy && !proxying) throw new UsageError('proxy mode needs at least one --upstream <slug>=<url> (or "upstreams" in the config)');
  const proxy = { ...config.proxy, ...(values['refuse-invalid'] ? { refuseInvalidRequests: true } : {}) };

  const mock = createMockServer({
    ...settings,
    upstreams,
    proxy,
    ...(record === undefined ? {} : { record }),
    timing,
    log: values.quiet ? undefined : batchedLineWriter(process.stdout),
  });
  const running = await serve(mock, { port, host: values.host }).catch((error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${port} on ${values.host} is already in use (another imagegen-mock?); pick another with --port <n>, or --port 0 for a free one`);
    if (code === 'EACCES') throw new Error(`port ${port} on ${values.host} needs privileges this user lacks; use a port above 1023, or --port 0 for a free one`);
    throw error;
  });
  const driftFile = values['drift-file'] ?? configDriftFile ?? DEFAULT_DRIFT_FILE;

  const lines = [`imagegen mock server listening on ${running.url}  (timing: ${typeof timing === 'string' ? timing : 'fixed'})`, `  docs index: ${running.url}/docs`, `  inspector:  ${running.url}/_mock/  (requests, jobs, webhooks, money; live)`];
  for (const api of mock.apis) {
    lines.push('', `  ${api.title} [${api.slug}]`, `    base URL: ${running.url}${api.basePath}`, `    docs:     ${running.url}${api.docsPath}`);
    const upstream = upstreams[api.slug as ApiSlug];
    if (upstream !== undefined) lines.push(`    proxied to ${upstream} (your own key; drift at ${running.url}/_mock/drift)`);
    else for (const key of api.devKeys) lines.push(`    key:      ${key.key}${key.description ? `  (${key.description})` : ''}`);
  }
  if (proxying) lines.push('', `  drift report written to ${driftFile} at exit${mock.recording ? `; exchanges recorded to ${mock.recording.file}` : ''}`);
  console.log(lines.join('\n'));
  const writeDrift = () => {
    if (!proxying) return;
    const report = mock.drift.toJSON();
    writeFileSync(driftFile, `${JSON.stringify(report, null, 2)}\n`);
    console.error(`imagegen-mock: drift report (${report.drift.length} differences, ${report.invalidRequests.length} invalid requests, ${report.injected.length} injected) written to ${driftFile}`);
  };

  // First signal: stop accepting, let requests in flight finish (bounded), then exit. A second
  // signal exits at once, as an impatient Ctrl-C expects.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    stopping = true;
    console.error(`imagegen-mock: ${signal}: finishing requests in flight (up to ${DEFAULT_DRAIN_MS / 1000} s); ${signal} again stops at once`);
    running.close().then(
      // A turn later, so the last batched log lines are written first.
      () => {
        writeDrift();
        setImmediate(() => process.exit(0));
      },
      (error: unknown) => {
        console.error(`imagegen-mock: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** Runs the command line in `process.argv`; a mistake in it, or a server that cannot start, exits with 1. */
export function runCli(): void {
  main().catch((error: unknown) => {
    reportCliError(error);
    process.exit(1);
  });
}
