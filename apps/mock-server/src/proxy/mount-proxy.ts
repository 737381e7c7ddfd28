import http from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

import type { Express, Request, Response } from 'express';

import type { Clock } from '../core/clock.js';
import { applyFaults } from '../core/faults.js';
import { applyPlannedFault } from '../core/pipeline/fault-plan.js';
import type { FaultPlans } from '../core/fault-plans.js';
import { OperationIndex, listOperations } from '../core/operations.js';
import { parsePrefer, readRequestedFaults } from '../core/prefer-header.js';
import { ProblemError, fieldMessages } from '../core/problems.js';
import type { ErrorResponse, Problem } from '../core/problems.js';
import { basePathOf } from '../core/spec-document.js';
import type { MountableApi, RequestContext } from '../core/vendor-api.js';
import { diffAnswer } from './answer-check.js';
import type { UpstreamAnswer } from './answer-check.js';
import type { DriftReport } from './drift-report.js';
import type { HarRecorder } from './har-recorder.js';
import { RequestCheck } from './request-check.js';

/** How the proxy forwards. Every field has a default. */
export interface ProxyOptions {
  /** Answer a request that breaks the spec with the vendor's validation error instead of forwarding it. Default: `false` (reported, then forwarded: the vendor decides). */
  refuseInvalidRequests?: boolean;
  /** Longest wait for the upstream's answer (connect, headers and body), in ms; then a 502. Default: `120_000` (sync generations take a minute). */
  timeoutMs?: number;
}

export interface ProxyMountOptions extends Required<ProxyOptions> {
  upstream: URL;
  report: DriftReport;
  clock: Clock;
  faultPlans: FaultPlans;
  /** Largest request body forwarded, in bytes. */
  bodyLimitBytes: number;
  /** Where exchanges are recorded as HAR, redacted. Default: not recorded. */
  recorder?: HarRecorder | undefined;
}

// Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded either way.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/**
 * Mounts one API in proxy mode at `/<slug>`: each request is checked against the spec, forwarded
 * with the caller's own credentials to `upstream` (which takes the place of `/<slug>`), and the
 * answer checked against the spec and passed back byte for byte: status, headers, body. What
 * differs is recorded in the drift report. `Prefer` faults and armed fault plans apply in front.
 */
export function mountProxiedApi(app: Express, api: MountableApi, options: ProxyMountOptions): string {
  const slugPrefix = `/${api.slug}`;
  const prefix = `${slugPrefix}${basePathOf(api.doc)}`;
  const index = new OperationIndex(listOperations(api.doc));
  const requestCheck = new RequestCheck(api.doc);
  const upstreamBase = options.upstream.href.replace(/\/+$/, '');
  const client = options.upstream.protocol === 'https:' ? https : http;
  // One pool per upstream: keep-alive connections are reused as a browser or SDK would.
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });

  const send = (_req: Request, res: Response, response: ErrorResponse) => {
    if (response.headers) res.set(response.headers);
    res.status(response.status).json(response.body);
  };
  const sendProblem = (req: Request, res: Response, found: Problem, status?: number) => {
    const rendered = api.errors.render(found, req.mock?.operation);
    send(req, res, status === undefined ? rendered : { ...rendered, status });
  };

  const handle = async (req: Request, res: Response, body: Buffer) => {
    const context = req.mock!;
    const url = new URL(req.url, 'http://proxy.invalid');
    const below = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : undefined;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const operation = below === undefined ? undefined : index.match(method, below).operation;
    context.operation = operation;
    const operationName = operation?.operationId ?? `${req.method} ${url.pathname.slice(slugPrefix.length) || '/'}`;
    if (operation) {
      const issues = requestCheck.issues(operation, url.searchParams, req.headers['content-type'], body);
      if (issues.length > 0) {
        const message = issues.map((issue) => issue.message).join('; ');
        options.report.addInvalidRequest(api.slug, operationName, message, options.refuseInvalidRequests);
        if (options.refuseInvalidRequests) {
          return sendProblem(req, res, { kind: 'validation', message, issues, fields: fieldMessages(issues.map((issue) => [issue.field, issue.message] as const)) });
        }
      }
    } else if (below !== undefined) {
      options.report.addInvalidRequest(api.slug, operationName, `no operation of spec/${api.slug}/openapi.yaml matches ${req.method} ${url.pathname}`, false);
    }
    const forward = () => {
      const target = upstreamBase + req.url.slice(slugPrefix.length);
      const startedAt = new Date();
      const started = performance.now();
      forwardRequest(req, res, body, target, client, agent, options.timeoutMs).then(
        (answer) => {
          const plain = decoded(answer);
          if (operation) options.report.add(api.slug, operationName, answer.status, diffAnswer(api.doc, operation, plain, req.method === 'HEAD'));
          options.recorder?.record({
            startedAt,
            method: req.method,
            url: target,
            requestHeaders: req.headers,
            requestBody: body,
            status: answer.status,
            responseHeaders: answer.headers,
            responseBody: plain.body,
            waitMs: performance.now() - started,
          });
          passBack(res, answer, req.method === 'HEAD');
        },
        (error: Error) => sendProblem(req, res, { kind: 'unavailable', message: `The proxy could not reach ${api.slug}'s upstream ${options.upstream.origin}: ${error.message}` }, 502),
      );
    };
    // A plan naming an operation needs one; output URLs of the vendor are fetched from it directly.
    if (!operation) return forward();
    applyPlannedFault(api, options.faultPlans, options.clock, send, req, res, forward);
  };

  app.use(function proxiedApi(req, res, next) {
    if (!isBelow(req.url, slugPrefix)) return next();
    const context: RequestContext = { operation: undefined, principal: undefined, prefer: parsePrefer(req.headers.prefer), requestedOutcome: undefined, uploads: [] };
    req.mock = context;
    const fail = (error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof ProblemError) return sendProblem(req, res, error.problem as Problem);
      sendProblem(req, res, { kind: 'internal', message: `The proxy failed: ${error instanceof Error ? error.message : String(error)}` }, 502);
    };
    let faults;
    try {
      faults = readRequestedFaults(context.prefer);
    } catch (error) {
      return fail(error);
    }
    readBody(req, options.bodyLimitBytes).then(
      (body) =>
        applyFaults(req, res, faults, options.clock, () => {
          handle(req, res, body).catch(fail);
        }),
      (error: unknown) => fail(error),
    );
  });
  return prefix;
}

function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ProblemError({ kind: 'validation', message: `Request body larger than the proxy's body limit of ${limit} bytes`, code: 'payload_too_large' }));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The request as the caller sent it, minus hop-by-hop headers and the mock's own fault controls. */
function forwardRequest(req: Request, res: Response, body: Buffer, target: string, client: typeof http | typeof https, agent: http.Agent, timeoutMs: number): Promise<UpstreamAnswer> {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  const prefer = withoutMockFaults([req.headers.prefer ?? []].flat().join(', ') || undefined);
  if (prefer === undefined) delete headers.prefer;
  else headers.prefer = prefer;
  if (body.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const outgoing = client.request(target, { method: req.method, headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.once('end', () => {
        clearTimeout(timer);
        resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: Buffer.concat(chunks) });
      });
      incoming.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const timer = setTimeout(() => outgoing.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    outgoing.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.code === 'ECONNRESET' ? 'connection reset before an answer' : error.message));
    });
    // The caller went away: stop waiting for the upstream on its behalf.
    res.once('close', () => {
      if (!res.writableFinished) outgoing.destroy(new Error('the caller went away'));
    });
    outgoing.end(body);
  });
}

/** `Prefer` without `fault=` and `latency=`, which the proxy applies itself; undefined when nothing is left. */
function withoutMockFaults(prefer: string | undefined): string | undefined {
  if (prefer === undefined) return undefined;
  const kept = prefer
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '' && !/^(fault|latency)\s*=/i.test(token));
  return kept.length > 0 ? kept.join(', ') : undefined;
}

/** The answer, status and headers as the upstream sent them, body bytes untouched. */
function passBack(res: Response, answer: UpstreamAnswer, head: boolean): void {
  const headers: Array<[string, string | string[]]> = [];
  for (const [name, value] of Object.entries(answer.headers)) {
    // A HEAD answer's Content-Length describes the GET's body: kept as sent.
    if (value === undefined || HOP_BY_HOP.has(name) || (name === 'content-length' && !head)) continue;
    headers.push([name, value]);
  }
  res.statusCode = answer.status;
  for (const [name, value] of headers) res.setHeader(name, value);
  if (!head) res.setHeader('content-length', answer.body.length);
  res.end(answer.body);
}

/** The answer with its body decoded from gzip, deflate or br, for checking only. */
function decoded(answer: UpstreamAnswer): UpstreamAnswer {
  const encoding = (answer.headers['content-encoding'] ?? '').toLowerCase().trim();
  try {
    const body =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? gunzipSync(answer.body)
        : encoding === 'deflate'
          ? inflateSync(answer.body)
          : encoding === 'br'
            ? brotliDecompressSync(answer.body)
            : answer.body;
    return { ...answer, body };
  } catch {
    return answer;
  }
}

/** Whether `url` is `prefix` itself or a path below it (query string allowed). */
function isBelow(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  const after = url.charAt(prefix.length);
  return after === '' || after === '/' || after === '?';
}


/**
 * An upstream as the command line or config gives it: an absolute http(s) URL without query or
 * fragment, taking the place of `/<slug>` (`https://agents.lumalabs.ai` for `/luma-agents/v1/...`).
 */
export function parseUpstream(slug: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`upstream of ${slug} must be an absolute http(s) URL, got '${text}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`upstream of ${slug} must be an http(s) URL, got '${text}'`);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new Error(`upstream of ${slug} must not carry a query, fragment or credentials (the caller's own are forwarded), got '${text}'`);
  }
  return url;
}
