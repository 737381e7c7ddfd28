import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import type { MockServer } from './create-mock-server.js';
import { createHttpServer } from './http-server.js';

export interface ServeOptions {
  /** TCP port; 0 picks a free one. Default: `0`. */
  port?: number;
  /** Interface to bind. Default: `'127.0.0.1'` (never reachable from other machines by accident). */
  host?: string;
}

/** How {@link RunningMockServer.close} treats requests still being answered. */
export interface CloseOptions {
  /** Longest wait for in-flight requests to finish, in ms; the connections still open are then reset. Default: `10_000`. */
  drainMs?: number;
  /** Reset every connection at once, in-flight requests included. Default: `false`. */
  force?: boolean;
  /**
   * How long a keep-alive connection that is between two requests when closing begins is given to
   * send its next one, in ms: a request that arrives in time is answered (with `Connection: close`)
   * rather than lost to a reset, since a client may already be sending it. Default: `100`.
   */
  idleGraceMs?: number;
}

export interface RunningMockServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Base URL of one API: `baseUrl('lumixai')` is `http://127.0.0.1:<port>/lumixai/api/backend`. */
  baseUrl(slug: string): string;
  server: Server;
  /**
   * Stops accepting connections, closes idle ones, lets in-flight requests finish (each answer
   * then closes its connection) for up to `drainMs`, resets whatever is left, and stops the mock's
   * webhook sender. Calling it again returns the same promise; `{ force: true }` then resets the
   * connections still draining.
   */
  close(options?: CloseOptions): Promise<void>;
}

/** Default of {@link CloseOptions.drainMs}. */
export const DEFAULT_DRAIN_MS = 10_000;

/** How often idle connections are closed while draining, in ms. */
const IDLE_CHECK_MS = 20;

/** Default of {@link CloseOptions.idleGraceMs}. */
const DEFAULT_IDLE_GRACE_MS = 100;

/**
 * How long a connection that has not sent a request yet is given to send one once closing began:
 * a client that connected just before may not have been read yet on a busy machine. Spare
 * connections some clients open (fetch does) are closed after it.
 */
const NEW_CONNECTION_GRACE_MS = 500;

/** Listens on `host:port` and resolves once bound: the one place the mock server listens. */
export function serve(mock: MockServer, options: ServeOptions = {}): Promise<RunningMockServer> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = createHttpServer(mock.app);
    let closing: Promise<void> | undefined;
    const connections: Connections = { sockets: new Set(), served: new WeakSet(), idleSince: new WeakMap() };
    server.on('connection', (socket: Socket) => {
      connections.sockets.add(socket);
      socket.once('close', () => connections.sockets.delete(socket));
    });
    server.prependListener('request', (req, res) => {
      connections.served.add(req.socket);
      // Once closing, every answer ends its connection, so keep-alive clients reconnect elsewhere
      // instead of sending more requests into a server that is going away.
      if (closing) {
        res.shouldKeepAlive = false;
        connections.idleSince.delete(req.socket);
      }
    });
    server.listen(options.port ?? 0, host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo;
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      resolve({
        url,
        server,
        baseUrl(slug) {
          const api = mock.apis.find((candidate) => candidate.slug === slug);
          if (!api) throw new Error(`API ${slug} is not mounted; mounted: ${mock.apis.map((a) => a.slug).join(', ')}`);
          return `${url}${api.basePath}`;
        },
        close(closeOptions = {}) {
          if (closing && closeOptions.force) resetAll(server, connections);
          closing ??= drain(server, connections, closeOptions).then(() => mock.close());
          return closing;
        },
      });
    });
  });
}

interface Connections {
  sockets: Set<Socket>;
  /** Connections that carried at least one request. */
  served: WeakSet<Socket>;
  /** While closing: since when each connection has been seen between requests. */
  idleSince: WeakMap<Socket, number>;
}

/** Resets every connection, answered or not. */
function resetAll(server: Server, { sockets }: Connections): void {
  server.closeAllConnections();
  for (const socket of sockets) socket.destroy();
}

async function drain(
  server: Server,
  connections: Connections,
  { drainMs = DEFAULT_DRAIN_MS, force = false, idleGraceMs = DEFAULT_IDLE_GRACE_MS }: CloseOptions,
): Promise<void> {
  const { sockets, served, idleSince } = connections;
  const closed = new Promise<void>((done, fail) => stopListening(server, (error) => (error ? fail(error) : done())));
  if (force) {
    resetAll(server, connections);
    return closed;
  }
  // Node's closeIdleConnections() never closes a connection that has not sent a request (fetch
  // opens spares), and one whose answer was under way when closing began stays open after it. A
  // socket without a response in progress (`_httpMessage`, as http-terminator reads it) is idle.
  // One that served a request is closed once it has stayed idle for `idleGraceMs`: a keep-alive
  // client in a loop may be sending its next request right now, and destroying the connection
  // under it would reset a request the server could still answer (it is answered with
  // `Connection: close` instead). One that never sent a request gets its own, longer grace.
  // Checked until none is left.
  const began = Date.now();
  const closeIdle = () => {
    const now = Date.now();
    const graceOver = now - began >= NEW_CONNECTION_GRACE_MS;
    for (const socket of sockets) {
      if ((socket as Socket & { _httpMessage?: unknown })._httpMessage) {
        idleSince.delete(socket);
        continue;
      }
      if (served.has(socket)) {
        const since = idleSince.get(socket) ?? now;
        idleSince.set(socket, since);
        if (now - since >= idleGraceMs) destroyIfStillIdle(socket, since);
      } else if (graceOver && socket.bytesRead === 0) {
        socket.destroy();
      }
    }
  };
  // Timers run before the event loop reads sockets: a request that arrived while the process was
  // busy (a GC pause, a loaded machine) is read only after this check. So a connection is destroyed
  // two polls later, and only if no request has come in on it by then.
  const destroyIfStillIdle = (socket: Socket, since: number) =>
    setImmediate(() =>
      setImmediate(() => {
        const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
        if (!busy && idleSince.get(socket) === since) socket.destroy();
      }),
    );
  closeIdle();
  const idleCheck = setInterval(closeIdle, IDLE_CHECK_MS);
  const deadline = setTimeout(() => resetAll(server, connections), drainMs);
  try {
    await closed;
  } finally {
    clearInterval(idleCheck);
    clearTimeout(deadline);
  }
}

/**
 * `server.close()` without the `closeIdleConnections()` Node's http server makes it call (since
 * Node 19): that destroys every keep-alive connection between two requests at once, resetting a
 * request a client may be sending on it. `drain` closes those itself, after their grace.
 */
function stopListening(server: Server, callback: (error?: Error) => void): void {
  const closeIdleConnections = Object.getOwnPropertyDescriptor(server, 'closeIdleConnections');
  server.closeIdleConnections = () => undefined;
  try {
    server.close(callback);
  } finally {
    if (closeIdleConnections) Object.defineProperty(server, 'closeIdleConnections', closeIdleConnections);
    else delete (server as Partial<Server>).closeIdleConnections;
  }
}
