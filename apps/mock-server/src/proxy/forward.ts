import type http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

// Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded either way.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** The request to send upstream: the caller's, as it arrived. */
export interface Outgoing {
  method: string;
  target: string;
  /** The caller's headers as they arrived (before any stage read or typed them). */
  headers: IncomingHttpHeaders;
  /** `Prefer` to send instead of the caller's: the mock's own controls taken out; undefined for none. */
  prefer: string | undefined;
  body: Buffer;
}

/** The upstream's answer once it has ended: what was checked, never the only copy of a large body. */
export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /**
   * The body decoded from any Content-Encoding, kept only when it is JSON (or text) within the
   * checking limit; undefined for binary (images are streamed through, never held) or larger bodies.
   */
  body: Buffer | undefined;
  /** Bytes the upstream sent (as encoded on the wire). */
  size: number;
}

export interface ForwardOptions {
  client: typeof http | typeof https;
  agent: http.Agent;
  /** Longest wait for the whole answer, in ms. */
  timeoutMs: number;
  /** Largest JSON or text body kept for checking, in bytes (decoded). */
  maxCheckedBytes: number;
}

/**
 * How the answer reaches the caller. `stream` (the default) passes status, headers and each chunk
 * on as they arrive; `hold` keeps the whole (JSON, bounded) body so `rewrite` may replace it.
 */
export interface PassBack {
  /**
   * For an answer whose body is to be replaced (an injected job outcome): given the decoded body,
   * the replacement, or undefined to pass the vendor's on unchanged. Only asked for JSON bodies
   * within the checking limit.
   */
  rewrite?: ((answer: UpstreamAnswer & { body: Buffer }) => Buffer | undefined) | undefined;
}

/**
 * Sends `outgoing` upstream and passes the answer back to `res` as it arrives, copying JSON and
 * text bodies (bounded by `maxCheckedBytes`) for checking. Resolves once the caller has the whole
 * answer with what was seen; rejects when the upstream could not be reached or answered nothing
 * (the caller has been told nothing yet, so a 502 can still be sent).
 */
export function forward(outgoing: Outgoing, res: ServerResponse, options: ForwardOptions, passBack: PassBack = {}): Promise<UpstreamAnswer & { rewritten: boolean }> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(outgoing.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  if (outgoing.prefer === undefined) delete headers.prefer;
  else headers.prefer = outgoing.prefer;
  if (outgoing.body.length > 0 || outgoing.headers['content-length'] !== undefined) headers['content-length'] = String(outgoing.body.length);
  const head = outgoing.method === 'HEAD';

  return new Promise((resolve, reject) => {
    let answered = false;
    const request = options.client.request(outgoing.target, { method: outgoing.method, headers, agent: options.agent }, (incoming) => {
      answered = true;
      const status = incoming.statusCode ?? 502;
      const keep = !head && isTextual(incoming.headers['content-type']);
      const hold = passBack.rewrite !== undefined && keep;
      // A held body is its own copy: nothing is kept twice.
      const copy = keep && !hold ? new BoundedCopy(options.maxCheckedBytes) : undefined;
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        copy?.add(chunk);
      });
      const seen = (): UpstreamAnswer => ({ status, headers: incoming.headers, body: copy?.complete ? decoded(copy.bytes(), incoming.headers, options.maxCheckedBytes) : undefined, size });
      incoming.once('error', fail);
      if (hold) {
        // Held whole (JSON, bounded) so it can be replaced; past the limit it is streamed on after all.
        const held: Buffer[] = [];
        let heldSize = 0;
        let streaming = false;
        const onData = (chunk: Buffer) => {
          held.push(chunk);
          heldSize += chunk.length;
          if (heldSize <= options.maxCheckedBytes) return;
          streaming = true;
          incoming.off('data', onData);
          writeHead(res, status, incoming.headers, head);
          for (const part of held.splice(0)) res.write(part);
          incoming.pipe(res);
        };
        incoming.on('data', onData);
        incoming.once('end', () => {
          clearTimeout(timer);
          if (streaming) return resolve({ ...seen(), rewritten: false });
          const bytes = Buffer.concat(held);
          const answer = { ...seen(), body: decoded(bytes, incoming.headers, options.maxCheckedBytes) };
          const replacement = answer.body === undefined ? undefined : passBack.rewrite!({ ...answer, body: answer.body });
          if (replacement === undefined) {
            writeHead(res, status, incoming.headers, head);
            res.end(bytes);
          } else {
            const replaced = { ...incoming.headers, 'content-length': String(replacement.length) };
            delete replaced['content-encoding'];
            delete replaced['transfer-encoding'];
            writeHead(res, status, replaced, false);
            res.end(replacement);
          }
          resolve({ ...answer, rewritten: replacement !== undefined });
        });
        return;
      }
      writeHead(res, status, incoming.headers, head);
      relay(incoming, res);
      incoming.once('end', () => {
        clearTimeout(timer);
        resolve({ ...seen(), rewritten: false });
      });
    });
    const fail = (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // The caller already has part of the answer: all that is left is to cut it short.
      if (answered) {
        res.destroy(error);
        return reject(error);
      }
      reject(new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ECONNRESET' ? 'connection reset before an answer' : error.message));
    };
    const timer = setTimeout(() => request.destroy(new Error(`no complete answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    request.once('error', fail);
    // The caller went away: stop waiting for the upstream on its behalf.
    res.once('close', () => {
      if (!res.writableFinished) request.destroy(new Error('the caller went away'));
    });
    request.end(outgoing.body);
  });
}

/**
 * `incoming.pipe(res)`, except that the chunk completing a body of known length ends the answer
 * with it: a small answer (most JSON) leaves in one write with its headers, not two.
 */
function relay(incoming: http.IncomingMessage, res: ServerResponse): void {
  const length = Number(incoming.headers['content-length'] ?? NaN);
  let sent = 0;
  incoming.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (sent === length) return void res.end(chunk);
    if (!res.write(chunk)) {
      incoming.pause();
      res.once('drain', () => incoming.resume());
    }
  });
  incoming.once('end', () => {
    if (!res.writableEnded) res.end();
  });
}

/** Status and headers as the upstream sent them, hop-by-hop ones left out. */
function writeHead(res: ServerResponse, status: number, headers: IncomingHttpHeaders, head: boolean): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) {
    // Without the upstream's Content-Length a body goes out chunked; a HEAD answer's describes the GET's.
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name === 'content-length' && !head && headers['transfer-encoding'] !== undefined) continue;
    res.setHeader(name, value);
  }
}

/** JSON, `+json`, and text bodies are checked (and so copied); everything else is streamed through unread. */
function isTextual(contentType: string | undefined): boolean {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return media === '' || media === 'application/json' || media.endsWith('+json') || media.startsWith('text/') || media === 'application/problem+json';
}

/** A copy of a stream's first `limit` bytes; `complete` while nothing past them was dropped. */
class BoundedCopy {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  complete = true;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    if (!this.complete) return;
    this.#size += chunk.length;
    if (this.#size > this.limit) {
      this.complete = false;
      this.#chunks.length = 0;
      return;
    }
    this.#chunks.push(chunk);
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** A body decoded from gzip, deflate or br (at most `limit` bytes out), for checking; undefined when it does not decode within that. */
function decoded(body: Buffer, headers: IncomingHttpHeaders, limit: number): Buffer | undefined {
  const encoding = (headers['content-encoding'] ?? '').toLowerCase().trim();
  const options = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body, options);
    if (encoding === 'deflate') return inflateSync(body, options);
    if (encoding === 'br') return brotliDecompressSync(body, options);
    return body;
  } catch {
    return undefined;
  }
}
