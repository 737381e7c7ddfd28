import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';

import { REDACTED, SECRET_NAME, redactJson, redactUrls } from './redact.js';

/** One exchange as the proxy saw it: the caller's request and the upstream's answer, bytes as sent. */
export interface RecordedExchange {
  startedAt: Date;
  method: string;
  /** The URL forwarded to, query string included. */
  url: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  responseHeaders: IncomingHttpHeaders;
  /** The answer's body, decoded from any Content-Encoding; undefined when it was streamed through unkept (binary, or past the checking limit). */
  responseBody: Buffer | undefined;
  /** The answer's size in bytes. */
  responseSize: number;
  /** Set when the proxy changed the answer on purpose (an injected fault): what it did. */
  injected?: string;
  /** Milliseconds from forwarding to the whole answer. */
  waitMs: number;
}

/** Bodies larger than this are recorded by size and type only. */
const MAX_TEXT_BYTES = 256 * 1024;

/**
 * Records proxied exchanges as one HAR 1.2 file per proxy run, with secrets redacted: credential
 * headers (Authorization, X-API-Key, cookies...), secret-named query parameters (API keys,
 * presigned signatures and credentials), secret-named fields of JSON and form bodies (webhook
 * secrets), and the same query parameters inside URLs that bodies carry. Binary bodies are
 * recorded by size and type. The file is rewritten after every exchange, so a run that is killed
 * still leaves what it saw.
 */
export class HarRecorder {
  readonly file: string;
  readonly #entries: unknown[] = [];

  constructor(dir: string, now = new Date()) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `imagegen-proxy-${now.toISOString().replace(/[:.]/g, '-')}.har`);
  }

  record(exchange: RecordedExchange): void {
    this.#entries.push(toEntry(exchange));
    this.write();
  }

  /** Everything recorded so far, as a HAR 1.2 document. */
  toJSON(): { log: Record<string, unknown> } {
    return {
      log: {
        version: '1.2',
        creator: { name: '@imagegen/mock-server proxy', version: '0.1.0' },
        pages: [],
        entries: this.#entries,
      },
    };
  }

  write(): void {
    writeFileSync(this.file, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
  }

  clear(): void {
    this.#entries.length = 0;
  }
}

function toEntry(exchange: RecordedExchange) {
  const url = new URL(exchange.url);
  for (const name of [...url.searchParams.keys()]) if (SECRET_NAME.test(name)) url.searchParams.set(name, REDACTED);
  const requestType = headerValue(exchange.requestHeaders['content-type']);
  const responseType = headerValue(exchange.responseHeaders['content-type']);
  const postText = bodyText(exchange.requestBody, requestType);
  const responseText = bodyText(exchange.responseBody, responseType);
  return {
    startedDateTime: exchange.startedAt.toISOString(),
    ...(exchange.injected === undefined ? {} : { comment: `injected by the proxy, not the vendor's answer: ${exchange.injected}` }),
    time: exchange.waitMs,
    request: {
      method: exchange.method,
      url: url.href,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(exchange.requestHeaders),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(exchange.requestBody.length > 0 ? { postData: { mimeType: requestType || 'application/octet-stream', text: postText ?? `(${exchange.requestBody.length} bytes not recorded)` } } : {}),
      headersSize: -1,
      bodySize: exchange.requestBody.length,
    },
    response: {
      status: exchange.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: harHeaders(exchange.responseHeaders),
      content: {
        size: exchange.responseSize,
        mimeType: responseType || 'application/octet-stream',
        ...(responseText === undefined ? { comment: 'binary or large body: not recorded' } : { text: responseText }),
      },
      redirectURL: headerValue(exchange.responseHeaders.location),
      headersSize: -1,
      bodySize: exchange.responseSize,
    },
    cache: {},
    timings: { send: 0, wait: exchange.waitMs, receive: 0 },
  };
}

function harHeaders(headers: IncomingHttpHeaders): Array<{ name: string; value: string }> {
  return Object.entries(headers).flatMap(([name, value]) =>
    [value ?? []].flat().map((one) => ({ name, value: SECRET_NAME.test(name) ? REDACTED : redactUrls(String(one)) })),
  );
}

function headerValue(value: string | string[] | undefined): string {
  return [value ?? []].flat()[0] ?? '';
}

/** A body as redacted text, or undefined for one that is binary or too large to record. */
function bodyText(body: Buffer | undefined, contentType: string): string | undefined {
  if (body === undefined) return undefined;
  if (body.length === 0) return '';
  if (body.length > MAX_TEXT_BYTES) return undefined;
  const media = contentType.split(';')[0]!.trim().toLowerCase();
  if (/json/.test(media)) {
    try {
      return JSON.stringify(redactJson(JSON.parse(body.toString('utf8'))));
    } catch {
      return redactUrls(body.toString('utf8'));
    }
  }
  if (media === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body.toString('utf8'));
    for (const name of [...form.keys()]) form.set(name, SECRET_NAME.test(name) ? REDACTED : redactUrls(form.get(name) ?? ''));
    return form.toString();
  }
  if (/^text\//.test(media) || media === 'multipart/form-data') {
    const text = body.toString('utf8');
    // Multipart fields carry their names in Content-Disposition; a secret-named part's value goes.
    const redacted = text.replace(/(name="[^"]*(?:key|token|secret|signature)[^"]*"\r?\n(?:[^\r\n]+\r?\n)*\r?\n)[^\r\n]*/gi, `$1${REDACTED}`);
    return looksBinary(redacted) ? undefined : redactUrls(redacted);
  }
  return undefined;
}

/** Control characters (other than tab and line ends) or undecodable bytes: not text worth recording. */
function looksBinary(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 0xfffd) return true;
  }
  return false;
}
