import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

import type { Express, Request, RequestHandler, Response } from 'express';

import { noteAnswer } from '../core/answer-notes.js';
import { readCredential } from '../core/api-keys.js';
import type { Clock } from '../core/clock.js';
import { compose } from '../core/compose.js';
import { applyFaults } from '../core/faults.js';
import type { FaultPlans } from '../core/fault-plans.js';
import { toProblem } from '../core/openapi-validator/errors.js';
import { OperationIndex, listOperations } from '../core/operations.js';
import type { Operation } from '../core/operations.js';
import { bodyLimitBytes, bodyStage } from '../core/pipeline/body.js';
import { errorAnswer } from '../core/pipeline/error-answer.js';
import { applyPlannedFault } from '../core/pipeline/fault-plan.js';
import { preferStage } from '../core/pipeline/prefer.js';
import { isBelow, malformedPathStage } from '../core/pipeline/route.js';
import { validateStage } from '../core/pipeline/validate.js';
import { MOCK_PREFERENCES, parsePrefer, readRequestedFaults, withoutPreferences } from '../core/prefer-header.js';
import { problem } from '../core/problems.js';
import { basePathOf } from '../core/spec-document.js';
import type { MountableApi, RequestContext, RequestedOutcome } from '../core/vendor-api.js';
import { diffAnswer } from './answer-check.js';
import type { BodyTap } from './body-tap.js';
import { tapBody } from './body-tap.js';
import type { DriftReport } from './drift-report.js';
import { forward } from './forward.js';
import type { UpstreamAnswer } from './forward.js';
import type { HarRecorder } from './har-recorder.js';

/** How the proxy forwards. Every field has a default. */
export interface ProxyOptions {
  /** Answer a request that breaks the spec with the vendor's validation error instead of forwarding it. Default: `false` (reported, then forwarded: the vendor decides). */
  refuseInvalidRequests?: boolean;
  /** Longest wait for the upstream's answer (connect, headers and body), in ms; then a 502, or the answer cut short once it has begun. Default: `120_000` (sync generations take a minute). */
  timeoutMs?: number;
  /**
   * Largest JSON or text answer checked against the spec, in bytes: a copy up to this size is kept
   * while the answer streams on to the caller. A larger one is passed through and checked by its
   * status and headers only; binary answers (images) are never copied. Default: `33_554_432` (32 MiB).
   */
  maxCheckedBytes?: number;
}

export interface ProxyMountOptions extends Required<ProxyOptions> {
  upstream: URL;
  report: DriftReport;
  clock: Clock;
  faultPlans: FaultPlans;
  /** Largest request body forwarded (`'25mb'`), as the mock's own body limit reads it. */
  bodyLimit: string;
  /** Where exchanges are recorded as HAR, redacted. Default: not recorded. */
  recorder?: HarRecorder | undefined;
}

/**
 * Mounts one API in proxy mode at `/<slug>`: each request goes through the mock's own stages
 * (`Prefer` controls and armed fault plans, then the body parsers and the spec's validator), is
 * forwarded with the caller's own credentials to `upstream` (which takes the place of `/<slug>`),
 * and the answer streams back as the upstream sent it (status, headers, body bytes) while it is
 * checked against the spec. What differs is recorded in the drift report.
 *
 * In front of a real vendor the mock's controls are simulated here and never forwarded: `Prefer:
 * code=`, `fault=`, `latency=` and plans answer or delay as the mock would; a job outcome (`Prefer:
 * job-status=`, a `job-outcome` plan) cannot make the vendor's job fail, so it rewrites the
 * vendor's answer to a job-status read into that job ended as asked (the vendor's ids kept),
 * checked against the spec, and listed as injected, never as drift.
 */
export function mountProxiedApi(app: Express, api: MountableApi, options: ProxyMountOptions): string {
  const slugPrefix = `/${api.slug}`;
  const prefix = `${slugPrefix}${basePathOf(api.doc)}`;
  const index = new OperationIndex(listOperations(api.doc));
  const limitBytes = bodyLimitBytes(options.bodyLimit);
  const upstreamBase = options.upstream.href.replace(/\/+$/, '');
  const client = options.upstream.protocol === 'https:' ? https : http;
  // One pool per upstream: keep-alive connections are reused as a browser or SDK would.
  const agent = new client.Agent({ keepAlive: true, maxSockets: 64 });
  const controlPreferences = new Set<string>([...MOCK_PREFERENCES, ...(api.mockPreferences ?? [])]);
  const answer = errorAnswer(api, {
    validateResponses: false,
    onViolation: () => undefined,
    onInternalError: (error, req) => console.error(`[mock-server] proxy ${req.method} ${req.originalUrl} failed:`, error),
  });
  const plannedFault = (req: Request, res: Response, next: () => void) => applyPlannedFault(api, options.faultPlans, options.clock, answer.send, req, res, next);

  /** A vendor's mock-only preference (`failed-images`) has nothing to act on in front of the real service. */
  const mockOnlyPreferences: RequestHandler = (req, _res, next) => {
    const named = (api.mockPreferences ?? []).filter((name) => req.mock!.prefer.has(name));
    if (named.length === 0) return next();
    const message = `Prefer: ${named.join(', ')} is simulated by the mock only; in front of the real ${api.slug} use Prefer: job-status or a job-outcome fault plan`;
    throw problem('validation', message, { fields: { Prefer: [message] }, mockControl: true });
  };
  // The mock's controls, in the mock's order: they answer (or delay) here, the vendor never sees them.
  const controls = compose([mockOnlyPreferences, preferStage(api, answer), plannedFault]);
  // The mock's own request checks, the same stages and validator: what they refuse is reported.
  const checks = compose([malformedPathStage, bodyStage(api.doc, options.bodyLimit), validateStage(api, prefix, false)]);

  const exchange = (req: Request, res: Response, sent: IncomingHttpHeaders, tap: BodyTap, name: string, operation: Operation | undefined) => {
    const context = req.mock!;
    const head = req.method === 'HEAD';
    tap.whole().then(
      (body) => {
        const target = upstreamBase + req.url.slice(slugPrefix.length);
        const startedAt = new Date();
        const started = performance.now();
        const outcome = operation && context.requestedOutcome;
        let injected: string | undefined;
        const rewrite = outcome
          ? (vendor: UpstreamAnswer & { body: Buffer }) => {
              const replacement = injectOutcome(api, operation, vendor, outcome);
              if (replacement !== undefined) injected = api.jobStatuses?.[outcome.phase] ?? outcome.phase;
              return replacement;
            }
          : undefined;
        forward(
          { method: req.method, target, headers: sent, prefer: withoutPreferences(sent.prefer, controlPreferences), body },
          res,
          { client, agent, timeoutMs: options.timeoutMs, maxCheckedBytes: options.maxCheckedBytes },
          { rewrite },
        ).then(
          (seen) => {
            // The vendor's own answer is what is checked, injected or not.
            if (operation) options.report.add(api.slug, name, seen.status, diffAnswer(api.doc, operation, seen, head));
            if (injected !== undefined) options.report.addInjected(api.slug, name, injected);
            else if (outcome) console.warn(`[mock-server] proxy ${req.method} ${req.originalUrl}: no job outcome injected: in front of the real ${api.slug} a job outcome rewrites a successful job-status read`);
            options.recorder?.record({
              startedAt,
              method: req.method,
              url: target,
              requestHeaders: sent,
              requestBody: body,
              status: seen.status,
              responseHeaders: seen.headers,
              responseBody: seen.rewritten ? undefined : seen.body,
              responseSize: seen.size,
              ...(injected === undefined ? {} : { injected: `job outcome ${injected} (the vendor's answer was checked; its body is not recorded)` }),
              waitMs: performance.now() - started,
            });
          },
          (error: Error) => {
            if (res.headersSent) return;
            const rendered = api.errors.render({ kind: 'unavailable', message: `The proxy could not reach ${api.slug}'s upstream ${options.upstream.origin}: ${error.message}` }, operation);
            answer.send(req, res, { ...rendered, status: 502 }, false);
          },
        );
      },
      (error: unknown) => answer.fail(error, req, res, () => undefined),
    );
  };

  app.use(function proxiedApi(req, res, next) {
    if (!isBelow(req.url, slugPrefix)) return next();
    noteAnswer(res, { api: api.slug });
    // As they arrived: the validator may type header values in place.
    const sent = { ...req.headers };
    const context: RequestContext = { operation: undefined, principal: undefined, prefer: parsePrefer(req.headers.prefer), requestedOutcome: undefined, uploads: [], rateCounted: false };
    req.mock = context;
    const fail = (error: unknown) => answer.fail(error, req, res, next);
    let faults;
    try {
      faults = readRequestedFaults(context.prefer);
    } catch (error) {
      return fail(error);
    }
    applyFaults(req, res, faults, options.clock, () => {
      const url = new URL(req.url, 'http://proxy.invalid');
      const below = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) || '/' : undefined;
      const match = below === undefined ? undefined : index.match(req.method === 'HEAD' ? 'GET' : req.method, below);
      const operation = match?.operation;
      const name = operation?.operationId ?? `${req.method} ${url.pathname.slice(slugPrefix.length) || '/'}`;
      if (!operation) {
        if (below !== undefined) options.report.addInvalidRequest(api.slug, name, `no operation of spec/${api.slug}/openapi.yaml matches ${req.method} ${url.pathname}`, false);
        // An output URL below the slug: plans for `output` apply, as on the mock's own.
        return plannedFault(req, res, () => exchange(req, res, sent, tapBody(req, limitBytes), name, undefined));
      }
      context.operation = operation;
      context.undecodable = match.undecodable;
      context.callerKey = readCredential(sent, operation.security);
      req.params = match.pathParams;
      controls(req, res, (error?: unknown) => {
        if (error !== undefined) return fail(error);
        // Tapped in the same turn the body stage's parsers start reading, so both see every byte.
        const tap = tapBody(req, limitBytes);
        checks(req, res, (invalid?: unknown) => {
          if (invalid !== undefined) {
            const found = toProblem(invalid, req);
            // A body past the limit was not kept: it cannot be forwarded.
            const refuse = options.refuseInvalidRequests || found.tooLarge === true;
            options.report.addInvalidRequest(api.slug, name, found.message, refuse);
            if (refuse) return fail(invalid);
          }
          exchange(req, res, sent, tap, name, operation);
        });
      });
    });
  });
  return prefix;
}

/**
 * The vendor's successful job-status answer as the job would read had it ended as `outcome` says,
 * or undefined when the vendor's hook finds no job status in it or the result would break the spec
 * beyond what the vendor's own answer already did.
 */
function injectOutcome(api: MountableApi, operation: Operation, vendor: UpstreamAnswer & { body: Buffer }, outcome: RequestedOutcome): Buffer | undefined {
  if (!api.jobOutcomeAnswer || vendor.status < 200 || vendor.status >= 300) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(vendor.body.toString('utf8'));
  } catch {
    return undefined;
  }
  const rewritten = api.jobOutcomeAnswer(operation.operationId, parsed, outcome);
  if (rewritten === undefined) return undefined;
  const replacement = Buffer.from(JSON.stringify(rewritten));
  const key = (difference: { kind: string; pointer: string }) => `${difference.kind} ${difference.pointer}`;
  const vendorOwn = new Set(diffAnswer(api.doc, operation, vendor).map(key));
  const added = diffAnswer(api.doc, operation, { ...vendor, body: replacement, size: replacement.length }).filter((difference) => !vendorOwn.has(key(difference)));
  if (added.length > 0) {
    console.warn(`[mock-server] proxy: job outcome not injected into ${api.slug} ${operation.operationId}: the rewritten answer would break the spec: ${added.map((difference) => `${difference.pointer} ${difference.message}`).join('; ')}`);
    return undefined;
  }
  return replacement;
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
