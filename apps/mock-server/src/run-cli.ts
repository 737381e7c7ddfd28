// The `imagegen-mock` command line (src/cli.ts runs it). Kept apart from that entry so the package's
// one bundle (scripts/bundle.mjs) carries it beside the library: the CLI and `import` then load,
// and compile-cache, the same file.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { API_SLUGS } from './apis/registry.js';
import type { ApiSlug } from './apis/registry.js';
import { loadConfig } from './config/load-config.js';
import { createMockServer } from './create-mock-server.js';
import type { TimingMode } from './core/timing.js';
import { batchedLineWriter } from './batched-line-writer.js';
import { DEFAULT_DRAIN_MS, serve } from './serve.js';

const USAGE = `Usage: imagegen-mock [--port 4010] [--host 127.0.0.1] [--config file.json] [--timing realistic|instant] [--quiet]
       imagegen-mock proxy --upstream <slug>=<url> [--upstream ...] [--refuse-invalid] [--drift-file imagegen-drift.json]

Serves every API at http://<host>:<port>/<slug><base path>, its docs at /docs/<slug>, a JSON
list of both at /, and the inspector (requests, jobs, webhooks, money, faults; live) at /_mock/. Settings: --config, or IMAGEGEN_MOCK_CONFIG (file) / IMAGEGEN_MOCK_CONFIG_JSON.
Proxy mode (\`proxy\` or --proxy): each API given an --upstream (or "upstreams" in the config) is
forwarded there with the caller's own credentials, both directions checked against its spec; the
drift is served at /_mock/drift, logged, and written to --drift-file at exit; --record <dir> writes
the exchanges there as HAR 1.2, secrets redacted ("driftFile" and "record" in the config; flags win).`;

/** Where proxy mode writes its drift report at exit unless --drift-file says otherwise. */
const DEFAULT_DRIFT_FILE = 'imagegen-drift.json';

/** A mistake in the command line: its message is followed by the usage line. */
class UsageError extends Error {}

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  config: { type: 'string' },
  timing: { type: 'string' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
  proxy: { type: 'boolean', default: false },
  upstream: { type: 'string', multiple: true },
  'refuse-invalid': { type: 'boolean', default: false },
  'drift-file': { type: 'string' },
  record: { type: 'string' },
} as const;

function parseCommandLine() {
  try {
    const parsed = parseArgs({ options: OPTIONS, allowPositionals: true });
    // One word is known: `proxy`, the same as --proxy.
    const [first, ...rest] = parsed.positionals;
    const stray = first === 'proxy' ? rest[0] : first;
    if (stray !== undefined) throw new UsageError(`Unexpected argument '${stray}'`);
    return { ...parsed, values: { ...parsed.values, proxy: parsed.values.proxy || first === 'proxy' } };
  } catch (error) {
    // parseArgs's own errors (unknown option, missing value, stray argument) are usage mistakes.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(oneLine((error as Error).message));
    throw error;
  }
}

/**
 * parseArgs's message in one line. Its three-line answer to `--port -1` (a value that looks like an
 * option) becomes what to write instead.
 */
function oneLine(message: string): string {
  const ambiguous = /^Option '(--?[\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const option = ambiguous[1]!;
    const value = process.argv[process.argv.indexOf(option) + 1] ?? '';
    // No port starts with a dash: say what a port is rather than how to pass one.
    if (option === '--port') return portProblem(value, option);
    return `${option} ${value}: a value starting with a dash must be written ${option}=${value}`;
  }
  return message.replace(/\s*\n\s*/g, ' ');
}

/** A port is a decimal number from 0 to 65535 and nothing else: `''`, `0x10F8` and `1e3` are mistakes. */
function parsePort(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= 65535)) throw new UsageError(portProblem(text, source));
  return port;
}

function portProblem(text: string, source: string): string {
  return `${source} must be a decimal port number from 0 to 65535, got '${text}'`;
}

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
  const port = values.port === undefined ? parsePort(process.env.PORT ?? '4010', 'PORT') : parsePort(values.port, '--port');
  const config = loadConfig(values.config);
  const timing = (values.timing ?? config.timing ?? 'realistic') as TimingMode;
  if (typeof timing === 'string' && timing !== 'instant' && timing !== 'realistic') {
    throw new UsageError(`--timing must be instant or realistic, got ${timing}`);
  }

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
    console.error(`imagegen-mock: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof UsageError) console.error(USAGE.split('\n')[0]);
    process.exit(1);
  });
}
