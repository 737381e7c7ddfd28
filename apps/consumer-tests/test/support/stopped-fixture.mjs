// What a consumer test does before it is stopped: a temporary folder and a detached server (here
// `sleep`, in a process group of its own, with a child of its own), both registered with scripts/stop-on-signal.mjs.
// Prints {"dir", "pid", "grandchild"} once both exist, then waits to be stopped.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';

import { killGroupOnStop, removeOnStop } from '../../../../scripts/stop-on-signal.mjs';

const dir = mkdtempSync(join(tmpdir(), 'imagegen-consumer-stopped-'));
removeOnStop(dir);
const pidFile = join(dir, 'grandchild.pid');
const child = spawn('sh', ['-c', `sleep 120 & echo $! > "${pidFile}"; wait`], { detached: true, stdio: 'ignore' });
killGroupOnStop(child);
const poll = setInterval(() => {
  const grandchild = Number(readFileSync(pidFile, { encoding: 'utf8', flag: 'a+' }));
  if (grandchild > 0) {
    clearInterval(poll);
    console.log(JSON.stringify({ dir, pid: child.pid, grandchild }));
  }
}, 20);
setInterval(() => undefined, 60_000);
