import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { MockServer } from './create-mock-server.js';
import { createHttpServer } from './http-server.js';

export interface ServeOptions {
  /** TCP port; 0 picks a free one. Default: `0`. */
  port?: number;
  /** Interface to bind. Default: `'127.0.0.1'` (never reachable from other machines by accident). */
  host?: string;
}

export interface RunningMockServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  /** Base URL of one API: `baseUrl('lumixai')` is `http://127.0.0.1:<port>/lumixai/api/backend`. */
  baseUrl(slug: string): string;
  server: Server;
  /** Stops accepting connections, closes the connections, and stops the mock's webhook sender. */
  close(): Promise<void>;
}

/** Listens on `host:port` and resolves once bound: the one place the mock server listens. */
export function serve(mock: MockServer, options: ServeOptions = {}): Promise<RunningMockServer> {
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    const server = createHttpServer(mock.app).listen(options.port ?? 0, host);
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
        close: async () => {
          await new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          });
          await mock.close();
        },
      });
    });
  });
}
