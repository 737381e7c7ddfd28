import { createServer } from 'node:net';

/** Asks the OS for a free port on `host` by binding to port 0, then frees it for a server to take. */
export function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
