import type { Request, RequestHandler, Response } from 'express';

import { noteAnswer } from '../answer-notes.js';
import { parsePrefer, readRequestedOutcome } from '../prefer-header.js';
import { problem } from '../problems.js';
import type { MountableApi } from '../vendor-api.js';
import type { ErrorAnswer } from './error-answer.js';

/**
 * Prefer: `code=<status>` answers the documented error for that status before any work is done;
 * `job-status=<word>` (with `job-error-code`, `job-error`) is read once here, through the API's
 * own status names, for handlers to find in `contextOf(req).requestedOutcome`.
 */
export function preferStage(api: MountableApi, answer: ErrorAnswer): RequestHandler {
  return (req, res, next) => {
    const context = req.mock!;
    const { prefer } = context;
    const operation = context.operation!;
    context.requestedOutcome = readRequestedOutcome(prefer, api.jobStatuses, api.failureCodes);
    const code = prefer.get('code');
    if (code === undefined) return next();
    if (!operation.statuses.includes(code)) {
      throw problem('validation', `Prefer: code=${code} is not a documented response of ${operation.method} ${operation.path}; documented: ${operation.statuses.join(', ')}`, {
        fields: { Prefer: [`code must be one of ${operation.statuses.join(', ')}`] },
        mockControl: true,
      });
    }
    const status = Number(code);
    if (status < 400) return next();
    const response = api.errors.forStatus(status, `Simulated by Prefer: code=${code}`, operation);
    if (!response) return next();
    noteAnswer(res, { reason: `Prefer: code=${code} (simulated)` });
    answer.send(req, res, response);
  };
}

/**
 * The request's RFC 7240 preferences, remembering which ones core or the vendor read. When the
 * answer goes out, those that took effect are named in `Preference-Applied` (RFC 7240 section 3),
 * and the ones nothing read (a typo such as `jobstatus=error`) are noted for the request's event (the
 * `log` line names them), so neither passes unnoticed.
 */
export function trackedPreferences(req: Request, res: Response): Map<string, string> {
  const preferences = parsePrefer(req.headers.prefer);
  const read = new Set<string>();
  const get = preferences.get.bind(preferences);
  const has = preferences.has.bind(preferences);
  preferences.get = (name) => {
    if (has(name)) read.add(name);
    return get(name);
  };
  preferences.has = (name) => {
    if (has(name)) read.add(name);
    return has(name);
  };
  const writeHead = res.writeHead;
  res.writeHead = function (this: Response, ...args: Parameters<Response['writeHead']>) {
    res.writeHead = writeHead;
    const applied = [...preferences].filter(([name]) => read.has(name));
    const ignored = [...preferences.keys()].filter((name) => !read.has(name));
    if (applied.length > 0 && !res.headersSent) res.setHeader('Preference-Applied', applied.map(([name, value]) => (value === '' ? name : `${name}=${/^[\w!#$%&'*+.^`|~-]+$/.test(value) ? value : JSON.stringify(value)}`)).join(', '));
    if (ignored.length > 0) noteAnswer(res, { ignoredPreferences: ignored });
    return writeHead.apply(this, args) as Response;
  } as Response['writeHead'];
  return preferences;
}
