import { spawn } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';

import { killGroup, trackGroup } from './process-groups.js';

/**
 * What a client under test is given, as the environment of a command (`IMAGEGEN_VENDOR`...) or as
 * the argument of a module's function.
 */
export interface ClientEnv {
  /** `IMAGEGEN_VENDOR`: the API's slug (`lumixai`). */
  vendor: string;
  /** `IMAGEGEN_BASE_URL`: the API's base URL at the mock, as its documentation's base URL. */
  baseUrl: string;
  /** `IMAGEGEN_API_KEY`. */
  apiKey: string;
  /** `IMAGEGEN_PROMPT`. */
  prompt: string;
  /** `IMAGEGEN_OUTPUT`: where to write the image. */
  output: string;
  /** `IMAGEGEN_TIMEOUT_MS`: give up after this long, reporting what was started. */
  timeoutMs: number;
}

/** How a client run ended. */
export interface SubjectOutcome {
  /** 0 when the client claims success. */
  exitCode: number;
  /** Its stdout and stderr (a command), or the error it threw (a module). */
  message: string;
  /** It was still running at the hard limit and was stopped. */
  timedOut: boolean;
  hardLimitMs: number;
}

/** A client under test. */
export interface Subject {
  name: string;
  run(env: ClientEnv): Promise<SubjectOutcome>;
}

/** A client still running this long past its own timeout is stopped and fails. */
export const GRACE_MS = 15_000;
const MAX_OUTPUT = 256 * 1024;

export function environmentOf(env: ClientEnv): Record<string, string> {
  return {
    IMAGEGEN_VENDOR: env.vendor,
    IMAGEGEN_BASE_URL: env.baseUrl,
    IMAGEGEN_API_KEY: env.apiKey,
    IMAGEGEN_PROMPT: env.prompt,
    IMAGEGEN_OUTPUT: env.output,
    IMAGEGEN_TIMEOUT_MS: String(env.timeoutMs),
  };
}

/** A client run as a shell command with the `IMAGEGEN_*` environment; exit 0 means it claims success. */
export function commandSubject(command: string, name = command): Subject {
  return {
    name,
    run: (env) =>
      new Promise((resolvePromise) => {
        const hardLimitMs = env.timeoutMs + GRACE_MS;
        const child = spawn('sh', ['-c', command], {
          env: { ...process.env, ...environmentOf(env) },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so the whole tree can be stopped at the hard limit.
          detached: true,
        });
        trackGroup(child);
        let output = '';
        const collect = (chunk: Buffer) => {
          if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          killGroup(child);
        }, hardLimitMs);
        child.once('error', (error) => {
          clearTimeout(timer);
          resolvePromise({ exitCode: 127, message: `cannot start ${command}: ${error.message}`, timedOut, hardLimitMs });
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          resolvePromise({ exitCode: code ?? (signal ? 128 : 1), message: output, timedOut, hardLimitMs });
        });
      }),
  };
}

/**
 * The function a Node module under test exports (as `default` or `run`): resolves when it claims
 * success, rejects when it reports failure (the error, with its own fields, is the message).
 */
export type ClientFunction = (env: ClientEnv) => Promise<unknown>;

/** A client given as a Node module path (relative to `cwd`) exporting one {@link ClientFunction}. */
export async function moduleSubject(path: string, cwd = process.cwd(), name = path): Promise<Subject> {
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(cwd, path)).href;
  const loaded = (await import(url)) as { default?: unknown; run?: unknown };
  const fn = typeof loaded.default === 'function' ? loaded.default : loaded.run;
  if (typeof fn !== 'function') throw new Error(`${path} exports no function (export default async function (env) { ... }, or export run)`);
  return functionSubject(fn as ClientFunction, name);
}

/** A client given as a function, run in this process. */
export function functionSubject(fn: ClientFunction, name: string): Subject {
  return {
    name,
    async run(env) {
      const hardLimitMs = env.timeoutMs + GRACE_MS;
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<'timeout'>((resolvePromise) => {
        timer = setTimeout(() => resolvePromise('timeout'), hardLimitMs);
      });
      try {
        const result = await Promise.race([fn({ ...env }).then(() => 'done' as const), limit]);
        if (result === 'timeout') return { exitCode: 1, message: '', timedOut: true, hardLimitMs };
        return { exitCode: 0, message: '', timedOut: false, hardLimitMs };
      } catch (error) {
        // inspect shows the error's own fields too (a job id, a handle), as a CLI would print them.
        return { exitCode: 1, message: error instanceof Error ? inspect(error, { depth: 3 }) : String(error), timedOut: false, hardLimitMs };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
