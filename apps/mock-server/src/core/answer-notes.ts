import type { Response } from 'express';

import { describeField } from './openapi-validator/errors.js';
import type { Problem } from './problems.js';
import { NOTES_SLOT } from './response-slots.js';

/**
 * What the pipeline learnt about a request that its answer does not say the same way for every API:
 * kept beside the response for the request events (`MockEvent`), under a symbol of this module
 * (invisible to Express and to handlers; it goes with the response). A WeakMap did the same at a
 * hash-table insert per request, on the path every request takes.
 */
export interface AnswerNotes {
  /** The slug of the API that answered. */
  api?: string;
  /** The credential sent, masked ({@link maskKey}). */
  key?: string;
  /** Why the answer is an error, in one line, the same way for every API. */
  reason?: string;
  /** `Prefer` preferences nothing in the mock or the API read (a typo such as `jobstatus`). */
  ignoredPreferences?: string[];
}

const NOTES = NOTES_SLOT;
type Noted = Response & { [NOTES]?: AnswerNotes };

/** Adds to what is known about `res`'s request; a later note of the same field wins. */
export function noteAnswer(res: Response, note: AnswerNotes): void {
  const known = (res as Noted)[NOTES];
  // One shape for every response's notes (field by field, not a spread or Object.assign): the
  // notes are written twice on every request (API, then key).
  if (known === undefined) {
    (res as Noted)[NOTES] = { api: note.api, key: note.key, reason: note.reason, ignoredPreferences: note.ignoredPreferences };
    return;
  }
  if (note.api !== undefined) known.api = note.api;
  if (note.key !== undefined) known.key = note.key;
  if (note.reason !== undefined) known.reason = note.reason;
  if (note.ignoredPreferences !== undefined) known.ignoredPreferences = note.ignoredPreferences;
}

export function answerNotesOf(res: Response): AnswerNotes | undefined {
  return (res as Noted)[NOTES];
}

/** `air_live_team_a` -> `air_…_a`: enough to tell keys apart, never enough to use one. */
export { maskSecret as maskKey } from './secrets.js';

/**
 * A problem in one line, from what the handler or stage threw (never from the vendor's body, which
 * words it the vendor's way): the kind, then for a validation failure each issue with its field and
 * the rule that failed, else the problem's message (which names the scope, the rate window, the
 * credential problem...).
 */
export function problemReason(problem: Problem): string {
  const issues = problem.issues ?? [];
  if (problem.kind === 'validation' && issues.length > 0) {
    const described = issues.map((issue) => `${describeField(issue)}${issue.keyword === undefined ? '' : ` [${issue.keyword}]`}: ${issue.message}`);
    return `validation: ${described.join('; ')}`;
  }
  const credential = problem.kind === 'authentication' && problem.credential !== undefined ? ` (${problem.credential} key)` : '';
  return `${problem.kind}${credential}: ${problem.message}`;
}
