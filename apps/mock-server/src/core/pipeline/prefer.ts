import type { RequestHandler } from 'express';

import { readRequestedOutcome } from '../prefer-header.js';
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
    answer.send(req, res, response);
  };
}
