// Clients and receivers run detached, in process groups of their own, so the runner can stop a whole
// tree (a shell, the client it started, what that client forked) at a scenario's hard limit. Being
// detached, they do not get the terminal's Ctrl-C or a signal sent to the runner: without this
// registry, a runner stopped mid-suite left them running.
import type { ChildProcess } from 'node:child_process';

const live = new Set<number>();

/** Remembers a detached child's process group until it exits. */
export function trackGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  live.add(pid);
  child.once('exit', () => live.delete(pid));
}

/** Sends `signal` to a child's whole group (falling back to the child alone); never throws. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** Stops every group still running; synchronous, so it works inside an `exit` handler. */
export function killAllGroups(signal: NodeJS.Signals = 'SIGKILL'): number {
  let stopped = 0;
  for (const pid of live) {
    try {
      process.kill(-pid, signal);
      stopped++;
    } catch {
      // the group is already gone
    }
  }
  live.clear();
  return stopped;
}

/**
 * For the executable: on SIGINT, SIGTERM or SIGHUP, stop every client and receiver still running,
 * then exit with 128 + the signal's number; on any exit, stop what is left.
 */
export function stopGroupsOnSignals(): void {
  process.once('exit', () => killAllGroups());
  for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] as const) {
    process.once(signal, () => {
      killAllGroups();
      process.exit(128 + number);
    });
  }
}
