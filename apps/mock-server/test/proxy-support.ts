// Proxy tests' loopback upstreams and proxies, closed after each test.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createMockServer, serve } from '../src/index.js';
import type { MockServer, MockServerOptions, RunningMockServer } from '../src/index.js';

export interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export const closers: Array<() => Promise<void>> = [];

/** Runs the closers, last opened first; test/setup.ts calls it after each test. */
export async function runClosers(): Promise<void> {
  for (const close of closers.splice(0).reverse()) await close();
}

/** A loopback upstream answering `answer(req)`; records every request it saw. */
export async function upstream(answer: (seen: Seen) => { status: number; headers?: Record<string, string>; body: string }): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      const { status, headers = { 'Content-Type': 'application/json' }, body } = answer(request);
      res.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closers.push(() => new Promise((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

export async function proxyTo(url: string, options: MockServerOptions = {}): Promise<{ mock: MockServer; running: RunningMockServer; base: string; drift: () => unknown }> {
  const mock = createMockServer({ upstreams: { lumixai: url }, ...options });
  const running = await serve(mock, { port: 0 });
  closers.push(() => running.close({ idleGraceMs: 0 }));
  return { mock, running, base: running.baseUrl('lumixai'), drift: () => mock.drift.toJSON() };
}

