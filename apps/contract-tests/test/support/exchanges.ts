// Records what the client sent and got, and knows how Prism 5.14 reports a contract violation.
import { expect } from 'vitest';

/** One request/response pair as the client's fetch saw it. */
export interface Exchange {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  /** The parsed body of an `application/problem+json` answer (Prism's own errors); otherwise undefined. */
  problem?: PrismProblem;
}

/** The problem+json body Prism answers with when it, not the upstream, produces the response. */
export interface PrismProblem {
  type: string;
  title?: string;
  status?: number;
  detail?: string;
  validation?: PrismViolation[];
}

/** One entry of the `sl-violations` header or of a problem's `validation` list. */
export interface PrismViolation {
  location: string[];
  severity: 'Error' | 'Warning' | 'Information' | 'Hint';
  code?: string | number;
  message: string;
}

/** Prefix of every problem type Prism generates, e.g. `...#VIOLATIONS`, `...#UNPROCESSABLE_ENTITY`. */
export const PRISM_ERRORS = 'https://stoplight.io/prism/errors#';

/** Changes a request before it is sent (adds a `Prefer` header, a query parameter ...). */
export type Tamper = (request: Request) => Request;

export interface TamperOptions {
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

/** A {@link Tamper} that sets headers and appends query parameters. */
export function tamper({ headers = {}, query = {} }: TamperOptions): Tamper {
  return (request) => {
    let changed = request;
    if (Object.keys(query).length > 0) {
      if (request.body !== null) throw new Error('query tampering is only supported for requests without a body');
      const url = new URL(request.url);
      for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
      changed = new Request(url, { method: request.method, headers: request.headers, signal: request.signal });
    }
    for (const [name, value] of Object.entries(headers)) changed.headers.set(name, value);
    return changed;
  };
}

/** A fetch that records every exchange into `log`, after `change` has had its say on the request. */
export function recordingFetch(log: Exchange[], change?: Tamper): typeof fetch {
  return async (input, init) => {
    const original = new Request(input, init);
    const request = change ? change(original) : original;
    const response = await fetch(request);
    const exchange: Exchange = {
      method: request.method,
      url: request.url,
      status: response.status,
      headers: new Headers(response.headers),
    };
    if (isProblemJson(response.headers)) {
      // A clone, so the client still reads the body it expects.
      exchange.problem = JSON.parse(await response.clone().text()) as PrismProblem;
    }
    log.push(exchange);
    return response;
  };
}

export function isProblemJson(headers: Headers): boolean {
  return /^application\/problem\+json\b/i.test(headers.get('content-type') ?? '');
}

/** The parsed `sl-violations` header, or `[]` when Prism sent none. */
export function slViolations(headers: Headers): PrismViolation[] {
  const value = headers.get('sl-violations');
  if (value === null) return [];
  // Prism truncates an over-long list to `Too many violations! <first 8 kB>`, which is not JSON.
  if (value.startsWith('Too many violations!')) {
    return [{ location: [], severity: 'Error', message: value.slice(0, 500) }];
  }
  return JSON.parse(value) as PrismViolation[];
}

/**
 * How Prism 5.14 (`prism-http-server` 5.12) signals that a request or a response broke the spec:
 *
 * - any violation of a forwarded exchange, Error or Warning, adds an `sl-violations` header: a JSON
 *   array of `{ location: ['response' | 'request', ...], severity, code, message }`;
 * - with `--errors`, a response violation of severity Error replaces the response with
 *   `500 application/problem+json` of type `…#VIOLATIONS` (the header is still there); a Warning
 *   (e.g. a status the spec does not document) lets the upstream response through, header only;
 * - with `--errors` in proxy mode, a request violation is never forwarded: Prism answers
 *   `401 …#UNAUTHORIZED` for a security failure, else `422 …#UNPROCESSABLE_ENTITY`.
 *
 * So an exchange is clean when it has no `sl-violations` header and no problem+json body: the
 * LumixAI mock never answers problem+json, so one can only come from Prism.
 */
export function prismSignalsOf(exchange: Exchange): string[] {
  const signals: string[] = [];
  for (const violation of slViolations(exchange.headers)) {
    signals.push(`sl-violations ${violation.severity} at ${violation.location.join('.')}: ${violation.message}`);
  }
  if (exchange.problem !== undefined || isProblemJson(exchange.headers)) {
    const problem = exchange.problem;
    signals.push(
      `Prism answered ${exchange.status} problem+json ${problem?.type ?? '(unparsed)'}: ${problem?.detail ?? ''}` +
        (problem?.validation?.length ? ` ${JSON.stringify(problem.validation)}` : ''),
    );
  }
  return signals;
}

/** Fails with every Prism signal found in `exchanges`, naming the exchange each came from. */
export function assertNoPrismViolation(exchanges: readonly Exchange[], context = ''): void {
  const found = exchanges.flatMap((exchange) =>
    prismSignalsOf(exchange).map((signal) => `${exchange.method} ${exchange.url} -> ${exchange.status}: ${signal}`),
  );
  expect(found, `Prism reported contract violations${context ? `\n${context}` : ''}`).toEqual([]);
}
