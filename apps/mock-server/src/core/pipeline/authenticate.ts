import type { RequestHandler } from 'express';

import { maskKey, noteAnswer } from '../answer-notes.js';
import { describeSchemes, readCredential } from '../api-keys.js';
import type { KeyRegistry } from '../api-keys.js';
import { problem } from '../problems.js';
import type { RequestCounter } from './rate-limit.js';

const MESSAGES = {
  missing: (schemes: string) => `Missing API key: send it in the ${schemes}`,
  revoked: () => 'This API key has been revoked',
  invalid: () => 'Invalid API key',
} as const;

/**
 * Authenticate: the credential the operation's security schemes ask for, looked up in the API's
 * keys. Counted against the rate limit before a key is refused, so a 401 carries the vendor's
 * rate-limit headers too. Public operations pass untouched, uncounted. `hint` (the mock's own
 * words, naming the keys it accepts) ends the message of a missing or unknown key.
 */
export function authenticateStage(keys: KeyRegistry, count: RequestCounter, hint?: string): RequestHandler {
  const withHint = (message: string) => (hint === undefined ? message : `${message}. ${hint}`);
  return (req, res, next) => {
    const context = req.mock!;
    const security = context.operation!.security;
    if (security.length === 0) return next();
    const credential = readCredential(req.headers, security);
    if (credential !== undefined) noteAnswer(res, { key: maskKey(credential) });
    const principal = credential === undefined ? undefined : keys.lookup(credential);
    const authenticated = principal !== undefined && !principal.revoked;
    count(req, res, authenticated ? principal : undefined);
    if (!authenticated) {
      const reason = credential === undefined ? 'missing' : principal?.revoked ? 'revoked' : 'invalid';
      // A revoked key is told so and nothing more: it was a real key, its owner knows the others.
      const message = MESSAGES[reason](describeSchemes(security));
      throw problem('authentication', reason === 'revoked' ? message : withHint(message), { credential: reason });
    }
    context.principal = principal;
    next();
  };
}
