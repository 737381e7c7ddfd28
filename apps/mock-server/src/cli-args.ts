// The `imagegen-mock` command line as written, checked without the server: dist/cli.js (written
// by scripts/bundle.mjs) runs checkCommandLine() before it loads the bundle, so a typo in a flag
// is answered in tens of milliseconds instead of after loading and compiling ~2 MB of server.
// run-cli.ts, inside the bundle, parses the same way. Only node: imports here: it loads first.
import { parseArgs } from 'node:util';

export const USAGE = `Usage: imagegen-mock [--port 4010] [--host 127.0.0.1] [--config file.json] [--timing realistic|instant] [--quiet]
       imagegen-mock proxy --upstream <slug>=<url> [--upstream ...] [--refuse-invalid] [--drift-file imagegen-drift.json]

Serves every API at http://<host>:<port>/<slug><base path>, its docs at /docs/<slug>, a JSON
list of both at /, and the inspector (requests, jobs, webhooks, money, faults; live) at /_mock/. Settings: --config, or IMAGEGEN_MOCK_CONFIG (file) / IMAGEGEN_MOCK_CONFIG_JSON.
Proxy mode (\`proxy\` or --proxy): each API given an --upstream (or "upstreams" in the config) is
forwarded there with the caller's own credentials, both directions checked against its spec; the
drift is served at /_mock/drift, logged, and written to --drift-file at exit; --record <dir> writes
the exchanges there as HAR 1.2, secrets redacted ("driftFile" and "record" in the config; flags win).`;

/** A mistake in the command line: its message is followed by the usage line. */
export class UsageError extends Error {}

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

export function parseCommandLine() {
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
export function parsePort(text: string, source: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port <= 65535)) throw new UsageError(portProblem(text, source));
  return port;
}

function portProblem(text: string, source: string): string {
  return `${source} must be a decimal port number from 0 to 65535, got '${text}'`;
}

/** The port asked for: `--port`, else `PORT`, else 4010. */
export function portOf(values: { port?: string | undefined }): number {
  return values.port === undefined ? parsePort(process.env.PORT ?? '4010', 'PORT') : parsePort(values.port, '--port');
}

/** `--timing`, when given: instant or realistic (the config file may also give fixed durations). */
export function checkTimingFlag(timing: string | undefined): void {
  if (timing !== undefined && timing !== 'instant' && timing !== 'realistic') throw new UsageError(`--timing must be instant or realistic, got ${timing}`);
}

/** How the CLI reports what stopped it on stderr: one line, then the usage line after a command-line mistake. */
export function reportCliError(error: unknown): void {
  console.error(`imagegen-mock: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error(USAGE.split('\n')[0]);
}

/**
 * What can be known of `process.argv` and `PORT` without the server: false (with exit code 1, or
 * after printing --help) when the CLI has nothing more to do, true when it should start.
 */
export function checkCommandLine(): boolean {
  try {
    const { values } = parseCommandLine();
    if (values.help) {
      console.log(USAGE);
      return false;
    }
    portOf(values);
    checkTimingFlag(values.timing);
    return true;
  } catch (error) {
    reportCliError(error);
    process.exitCode = 1;
    return false;
  }
}
