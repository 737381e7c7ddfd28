import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

import type { ResolvedAddress } from './outbound-address.js';

// One webhook attempt on the wire, apart from the dispatcher's log, retries and waiters.

export interface TransportOptions {
  /** Trusted CAs for https targets; undefined keeps Node's default store. */
  ca?: Array<string | Buffer>;
  /** Largest answer body read (and kept); a longer one is cut off and its connection closed. */
  maxResponseBytes: number;
}

/** What the receiver answered. */
export interface PostAnswer {
  httpStatus: number;
  address?: string;
  location?: string;
  responseBody: string;
  responseTruncated: boolean;
}

/**
 * POSTs the body to the checked addresses only: the socket's lookup answers with them, so the
 * host is never resolved a second time (no rebinding window) while Host and TLS SNI keep the name.
 */
export function postOnce(
  url: URL,
  addresses: ResolvedAddress[],
  headers: Record<string, string>,
  body: Buffer,
  signal: AbortSignal,
  transport: TransportOptions,
): Promise<PostAnswer> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    const usable = addresses.filter(({ family }) => !options.family || options.family === family);
    const [first] = usable;
    if (!first) callback(Object.assign(new Error(`no IPv${String(options.family)} address`), { code: 'ENOTFOUND' }), '', 4);
    else if (options.all) (callback as unknown as (error: null, all: ResolvedAddress[]) => void)(null, usable);
    else callback(null, first.address, first.family);
  };
  const options: RequestOptions & { ca?: Array<string | Buffer> } = { method: 'POST', headers, lookup, agent: false };
  if (transport.ca && url.protocol === 'https:') options.ca = transport.ca;
  const maxBytes = transport.maxResponseBytes;
  return new Promise<PostAnswer>(
    (resolve, reject) => {
      const req: ClientRequest = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options);
      let address: string | undefined;
      const onAbort = () => req.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (outcome: () => void) => {
        signal.removeEventListener('abort', onAbort);
        // No keep-alive: the socket is closed once the answer is read (or cut off).
        req.destroy();
        outcome();
      };
      req.on('socket', (socket) => socket.on('connect', () => (address = socket.remoteAddress)));
      req.on('error', (error) => finish(() => reject(error)));
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const answer = (responseTruncated: boolean) =>
          finish(() =>
            resolve({
              httpStatus: res.statusCode ?? 0,
              address: address ?? req.socket?.remoteAddress,
              location: res.headers.location,
              responseBody: Buffer.concat(chunks).toString('utf8'),
              responseTruncated,
            }),
          );
        res.on('data', (chunk: Buffer) => {
          const room = maxBytes - size;
          chunks.push(chunk.subarray(0, Math.max(0, room)));
          size += Math.min(chunk.length, Math.max(0, room));
          if (chunk.length > room) answer(true);
        });
        res.on('end', () => answer(false));
        res.on('error', (error) => finish(() => reject(error)));
      });
      if (signal.aborted) onAbort();
      else req.end(body);
    },
  );
}
