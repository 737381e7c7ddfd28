// The symbols under which the mock keeps per-request state on a response, declared here so that
// `createHttpServer` can give every response all of them when it is made (see http-server.ts): a
// response then keeps one hidden class from birth to end, instead of changing it at each slot the
// pipeline fills, which left Node's own response code reading through several shapes.

/** What the request events know between arrival and answer (request-logger.ts). */
export const ARRIVAL_SLOT = Symbol('requestEvents.arrival');
/** What the pipeline learnt about the request (answer-notes.ts). */
export const NOTES_SLOT = Symbol('answerNotes');
/** What the inspector keeps of the answer (inspector/request-log.ts). */
export const ANSWER_SLOT = Symbol('inspector.answer');
/** The response check `res.json` runs before sending (json-response.ts, openapi-validator/lean-responses.ts). */
export const JSON_CHECK_SLOT = Symbol('json.check');
/** Where that check hands a body that breaks the spec: the `next` of the stage that armed it. */
export const JSON_CHECK_NEXT_SLOT = Symbol('json.checkNext');
