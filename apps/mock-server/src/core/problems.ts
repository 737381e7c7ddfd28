/**
 * What went wrong with a request, in the mock server's own vocabulary. Each vendor renders these
 * in its documented error format and status code; the shared pipeline never writes an error body.
 */
export type ProblemKind =
  | 'validation'
  | 'authentication'
  | 'insufficient_credits'
  | 'permission_denied'
  | 'not_found'
  | 'method_not_allowed'
  | 'idempotency_conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface Problem {
  kind: ProblemKind;
  /** Human-readable, naming the offending field or header where there is one. */
  message: string;
  /** Field-level messages, for vendors whose envelope carries them (e.g. LumozAI `details`). */
  fields?: Record<string, string[]>;
  /** Seconds until a retry can succeed, for `rate_limited` and `unavailable`. */
  retryAfterSeconds?: number;
  /**
   * Raised by the mock's own controls (a bad `Prefer` header), not by the vendor's rules: answered in
   * the vendor's format even on an operation whose spec documents no such status.
   */
  mockControl?: boolean;
  /** Methods the path does allow, for `method_not_allowed`. */
  allow?: string[];
}

export interface ErrorResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** How one vendor writes its errors. */
export interface VendorErrorFormat {
  /** The documented response for a problem the mock detected. */
  render(problem: Problem): ErrorResponse;
  /**
   * The documented error response for a status code, used for `Prefer: code=<status>`; undefined
   * when the vendor documents no error body for it.
   */
  forStatus(status: number, message: string): ErrorResponse | undefined;
}

/** Thrown by handlers to answer with a vendor-formatted error. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
    this.name = 'ProblemError';
  }
}

export function problem(kind: ProblemKind, message: string, extra: Omit<Problem, 'kind' | 'message'> = {}): ProblemError {
  return new ProblemError({ kind, message, ...extra });
}
