import { request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  /** `http://127.0.0.1:<port>`: where to connect. */
  origin: string;
  /** The request target exactly as sent: `/path?x=1`, or an absolute form `http://host/path`. */
  target: string;
  method?: string;
  /** Sent as given, `Host` included (fetch would not let a test choose it). */
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** One HTTP/1.1 request on its own connection, with nothing added but Content-Length. */
export function rawRequest({ origin, target, method = 'GET', headers = {}, body }: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: target, method, headers: { ...headers }, agent: false, setHost: !('Host' in headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes, text: bytes.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
