// Runs the real Prism CLI (`prism mock` / `prism proxy`) as a child process.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { killGroupOnStop } from '../../../../scripts/stop-on-signal.mjs';

/** The package's own `prism` bin (the pnpm shim, which execs node on the CLI). */
const PRISM_BIN = fileURLToPath(new URL('../../node_modules/.bin/prism', import.meta.url));

// Prism prints `[CLI] ▶ start  Prism is listening on http://127.0.0.1:40167` once bound. With
// `-p 0` the address is the port the OS picked, so no free-port guessing (and no race) is needed.
const LISTENING = /Prism is listening on (http:\/\/\S+)/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const MAX_OUTPUT = 2_000_000;

export interface PrismProcess {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Everything Prism printed (stdout and stderr, interleaved, colours stripped). */
  output(): string;
  /** The last lines of the output, for failure messages. */
  tail(lines?: number): string;
  /** Kills the process group and waits for the exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartPrismOptions {
  /** How long to wait for the listening line. Default: 30 s. */
  timeoutMs?: number;
}

/**
 * Spawns `prism <args> -h 127.0.0.1 -p 0` and resolves once it says it is listening. Rejects with
 * Prism's output if it exits or stays silent past the timeout; the process is killed either way.
 */
export function startPrism(args: readonly string[], options: StartPrismOptions = {}): Promise<PrismProcess> {
  const { timeoutMs = 30_000 } = options;
  const child = spawn(PRISM_BIN, [...args, '-h', '127.0.0.1', '-p', '0'], {
    // Its own process group, so stop() reaches anything the shim started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  let output = '';
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8').replace(ANSI, '');
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT / 2);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail = (lines = 40) => output.trimEnd().split('\n').slice(-lines).join('\n');
  const stop = once(() => killGroup(child, exited));
  // A crashed test runner, or one stopped by a signal (turbo stops the other tasks when one fails; Ctrl-C),
  // must not leave Prism behind: an exit handler alone does not run on SIGTERM.
  killGroupOnStop(child);

  return new Promise<PrismProcess>((resolve, reject) => {
    const fail = (reason: string) => {
      cleanup();
      void stop().then(() =>
        reject(new Error(`prism ${args.join(' ')}: ${reason}\n--- prism output ---\n${tail()}`)),
      );
    };
    const timer = setTimeout(() => fail(`no "listening" line within ${timeoutMs} ms`), timeoutMs);
    const onListening = () => {
      const match = LISTENING.exec(output);
      if (!match?.[1]) return;
      const url = match[1].replace(/\/+$/, '');
      if (new URL(url).port === '0') return fail(`reported port 0 (${url})`);
      cleanup();
      resolve({ url, output: () => output, tail, stop });
    };
    const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
      fail(`exited before listening (code ${code}, signal ${signal})`);
    const onError = (error: Error) => fail(`could not be spawned: ${error.message}`);
    function cleanup() {
      clearTimeout(timer);
      child.stdout?.off('data', onListening);
      child.stderr?.off('data', onListening);
      child.off('exit', onEarlyExit);
      child.off('error', onError);
    }
    child.stdout?.on('data', onListening);
    child.stderr?.on('data', onListening);
    child.once('exit', onEarlyExit);
    child.once('error', onError);
  });
}

/** One Prism of a test file, started when first asked for (or with the file's others at once). */
export interface PrismHandle {
  /** Starts it the first time; later calls get the same process (or the same start failure). */
  start(): Promise<PrismProcess>;
  /** Stops it if it was started; safe to call twice, and for one never started. */
  stop(): Promise<void>;
}

/**
 * A Prism to be started with `args()` (a function: a proxy's upstream is known only once the mock
 * listens). Each Prism costs about 1.5 s of CPU to start, mostly loading its modules, so a file
 * starts all of its Prisms at once (`startAll`) instead of one describe after another; each
 * describe then awaits its own. Five starting at once take longer each, hence the longer limit.
 */
export function prismHandle(args: () => readonly string[]): PrismHandle {
  let starting: Promise<PrismProcess> | undefined;
  return {
    start() {
      if (!starting) {
        starting = startPrism(args(), { timeoutMs: 45_000 });
        // Started ahead of its describe: a failure surfaces when the describe awaits it.
        starting.catch(() => undefined);
      }
      return starting;
    },
    async stop() {
      await starting?.then(
        (prism) => prism.stop(),
        () => undefined,
      );
    },
  };
}

/** Starts every handle's Prism at once, without waiting for any. */
export function startAll(handles: readonly PrismHandle[]): void {
  for (const handle of handles) void handle.start();
}

async function killGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is already gone
    }
  };
  signalGroup('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup('SIGKILL');
      resolve();
    }, 5_000);
  });
  await Promise.race([exited, forced]);
  clearTimeout(timer);
  await exited;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
