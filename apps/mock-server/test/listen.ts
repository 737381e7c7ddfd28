import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Express } from 'express';

import { createHttpServer } from '../src/index.js';

const servers: Server[] = [];

/** Closes what {@link listen} opened; test/setup.ts calls it after each test. */
export async function closeListeners(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Listens on 127.0.0.1:0 (through `createHttpServer` unless given a server) until the test ends. */
export async function listen(app: Express, server: Server = createHttpServer(app)): Promise<{ url: string; server: Server }> {
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
