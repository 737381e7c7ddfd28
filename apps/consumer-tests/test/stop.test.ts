// A consumer test stopped by a signal (turbo stopping the task, Ctrl-C) leaves nothing behind: the
// detached server it started, with what that forked, is killed and its temporary folder removed
// (scripts/stop-on-signal.mjs, which consumer.test.ts, pack.global.ts and the contract tests' Prism processes register with).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./support/stopped-fixture.mjs', import.meta.url));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('stopped by %s, it kills the detached server group it started, removes its temporary folder and dies of the signal', async (signal) => {
  const fixture = spawn(process.execPath, [FIXTURE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => fixture.once('exit', (_code, received) => resolve(received)));
  const started = await new Promise<{ dir: string; pid: number; grandchild: number }>((resolve, reject) => {
    let output = '';
    fixture.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(JSON.parse(output) as { dir: string; pid: number; grandchild: number });
    });
    fixture.once('exit', () => reject(new Error(`the fixture exited before it started: ${output}`)));
  });
  expect(existsSync(started.dir)).toBe(true);
  expect(alive(started.grandchild)).toBe(true);

  fixture.kill(signal);
  expect(await exited).toBe(signal);
  for (const deadline = Date.now() + 5_000; (alive(started.pid) || alive(started.grandchild)) && Date.now() < deadline; ) await new Promise((wait) => setTimeout(wait, 20));
  const left = [started.pid, started.grandchild].filter(alive);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  expect(left, 'processes that outlived the stopped test').toEqual([]);
  expect(existsSync(started.dir), `${started.dir} was left behind`).toBe(false);
});
