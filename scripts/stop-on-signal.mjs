// A test process stopped mid-run (turbo stops a task with a signal when another one fails; a user
// presses Ctrl-C) runs no afterAll: a server started detached, in a process group of its own so
// that afterAll can stop it with whatever it forked, would keep running, and a temporary folder
// would stay. What is registered here is undone on exit and on SIGINT, SIGTERM and SIGHUP; then the
// signal does what it would have done.
import { rmSync } from 'node:fs';

const cleanups = new Set();
let installed = false;

function runAll() {
  for (const cleanup of [...cleanups]) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // the next one still runs
    }
  }
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    const onSignal = () => {
      runAll();
      // Nobody else handles it (vitest's own handler, where there is one, ran first): die of it,
      // as without this handler.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Runs `cleanup` (synchronous) when the process exits or is stopped by a signal. Returns a function that forgets it. */
export function onStop(cleanup) {
  install();
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Removes `dir` and everything in it when the process exits or is stopped. */
export function removeOnStop(dir) {
  return onStop(() => rmSync(dir, { recursive: true, force: true }));
}

/** Kills the process group of a child spawned with `detached: true` when this process exits or is stopped, unless it exited first. */
export function killGroupOnStop(child) {
  const forget = onStop(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  });
  child.once('exit', forget);
  return forget;
}
