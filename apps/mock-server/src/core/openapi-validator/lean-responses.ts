import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { armJsonBodyCheck, runsJsonBodyChecks } from '../json-response.js';
import type { JsonBodyCheck } from '../json-response.js';
import { validatorRequire } from './version.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
/** Per status (`200`, `4XX`, `default`), per media type, the compiled check of `{ response: body }`. */
type Validators = Record<string, Record<string, Validate>>;
interface ValidateArgs {
  validators: Validators;
  body: unknown;
  statusCode: number;
  path: string;
  accepts: string[];
}
interface ResponseValidatorInstance {
  serial: number;
  eovOptions: { onError?: (error: unknown, body: unknown, req: Request) => void };
  _getOrBuildValidator(req: Request, responses: unknown): Validators;
  _validate(args: ValidateArgs): void;
  canValidateContentType(contentType: string): boolean;
}
type ValidateMethod = ((this: ResponseValidatorInstance) => RequestHandler) & { lean?: true; original?: ValidateMethod };
interface ResponseValidatorModule {
  ResponseValidator: { prototype: { validate: ValidateMethod } };
}
type OpenApiRequest = Request & { openapi?: { serial: number; _responseSchema?: { responses?: object } } };

/** Which compiled check an answer's status and media type lead to; `undefined`: the validator's own steps decide. */
type Choice = Validate | undefined;
interface StatusChoices {
  /** By the answer's own Content-Type, when it has one. */
  byContentType: Map<string, Choice>;
  /** Otherwise by the request's Accept header (undefined without one). */
  byAccept: Map<string | undefined, Choice>;
}

const counts = { lean: 0, full: 0 };
let enabled = true;

/** Answers checked by the lean path, and those the validator's own steps checked, for tests. */
export function leanResponseCounts(): { lean: number; full: number } {
  return { ...counts };
}

/** Turns the lean path off (and on again), so a test can send the same requests through both. */
export function setLeanResponseCheck(on: boolean): void {
  enabled = on;
}

/** Distinct keys remembered per map (media types, Accept headers): an API's clients use a handful. */
const KEPT = 64;
/** Longer texts are checked every time: remembering one would cost more than checking it. */
const LONGEST_REMEMBERED = 16 * 1024;
/** Per compiled check, the JSON text it passed last: one small string each, however long the server runs. */
const lastPassed = new Map<Validate, string>();

/**
 * express-openapi-validator checks an answer by wrapping `res.json` in a new closure on every
 * response (its copy of express-mung), then, per answer: builds a cache key from the request's
 * Content-Type, copies the answer's headers to read one, splits the Accept header, lists the
 * status's media types and picks one, and runs the compiled schema on the body, though a client
 * polling a job gets the same answer many times over.
 *
 * The copy of its ResponseValidator the validator loads gets a `validate()` whose stage arms the
 * lean `res.json` (json-response.ts) instead, where that app has it (any other app keeps the
 * original hook). There, per answer, the operation's validators are looked up by its response
 * object, the status's and media type's check by what decides it (status, then the answer's
 * Content-Type or the request's Accept), and the check runs on the body unless the same check
 * passed the exact JSON text about to be sent last time. Anything else (no schema for the status, no
 * JSON media type, no body, a body that fails) goes through the validator's own `_validate`, which
 * passes it or throws the same error as before, handed to `next` as its hook does.
 *
 * Checking by text is sound because the check changes nothing that text shows: with the options
 * the mock gives (`useDefaults`, `coerceTypes` and `removeAdditional` off), the only keyword that
 * modifies the body turns a `Date` into its ISO string under `format: date-time`, which is also
 * what JSON.stringify writes of it, and the specs have no `format: date`. Two bodies with the same
 * text differ only in what JSON cannot carry (`undefined`, `NaN`, functions), and the text is what
 * the client gets.
 */
export function checkResponsesInLeanJson(): void {
  const module = validatorRequire('./middlewares/openapi.response.validator.js') as ResponseValidatorModule;
  const mung = (validatorRequire('./framework/modded.express.mung.js') as { default: { onError: (error: unknown, req: Request, res: Response, next: NextFunction) => unknown } }).default;
  const { InternalServerError } = validatorRequire('./framework/types.js') as { InternalServerError: new (...args: never[]) => unknown };
  const { prototype } = module.ResponseValidator;
  const original = prototype.validate;
  if (original.lean) return;
  const patched: ValidateMethod = function validate(this: ResponseValidatorInstance) {
    return checkStage(this, original.call(this), InternalServerError, mung.onError);
  };
  patched.lean = true;
  patched.original = original;
  prototype.validate = patched;
}

/**
 * The response stage of one validator instance: arms the lean `res.json` with its check, or, in an
 * app without it, installs `hooked` (the validator's own res.json wrap).
 */
function checkStage(
  validator: ResponseValidatorInstance,
  hooked: RequestHandler,
  InternalServerError: new (...args: never[]) => unknown,
  onError: (error: unknown, req: Request, res: Response, next: NextFunction) => unknown,
): RequestHandler {
  const byResponses = new WeakMap<object, { validators: Validators; byStatus: Map<number, StatusChoices> }>();
  const check: JsonBodyCheck = (res, body, text, next) => {
    const req = res.req as OpenApiRequest;
    const { openapi } = req;
    if (!openapi || validator.serial !== openapi.serial) return true;
    try {
      const responses = openapi._responseSchema?.responses;
      if (enabled && responses !== undefined && body !== undefined && body !== null) {
        let operation = byResponses.get(responses);
        if (operation === undefined) byResponses.set(responses, (operation = { validators: validator._getOrBuildValidator(req, responses), byStatus: new Map() }));
        const validate = chosenCheck(validator, operation.validators, operation.byStatus, res);
        if (validate !== undefined && passes(validate, body, text)) {
          counts.lean++;
          return true;
        }
      }
      counts.full++;
      fullCheck(validator, InternalServerError, req, res, body);
      return true;
    } catch (error) {
      // The hook's error path (mung.onError, which the validator sets to hand it to `next`).
      onError(error, req, res, next);
      return false;
    }
  };
  return function responseCheck(req: Request, res: Response, next: NextFunction) {
    if (!runsJsonBodyChecks(res)) return hooked(req, res, next);
    armJsonBodyCheck(res, check, next);
    next();
  };
}

/** What the validator's hook runs on an answer (openapi.response.validator.js `validate()`), step by step. */
function fullCheck(validator: ResponseValidatorInstance, InternalServerError: new (...args: never[]) => unknown, req: OpenApiRequest, res: Response, body: unknown): void {
  const validators = validator._getOrBuildValidator(req, req.openapi?._responseSchema?.responses);
  const contentType = res.getHeaders()['content-type'] as string | undefined;
  const accept = req.headers.accept;
  const accepts = contentType ? [contentType] : accept ? accept.split(',').map((h) => h.trim()) : [];
  try {
    validator._validate({ validators, body, statusCode: res.statusCode, path: req.originalUrl, accepts });
  } catch (error) {
    if (error instanceof InternalServerError && validator.eovOptions.onError) validator.eovOptions.onError(error, body, req);
    else throw error;
  }
}

/**
 * The compiled check `_validate` would run for this answer, remembered per status and media-type
 * input; undefined where `_validate` would do anything but run one (no schema for the status, no
 * media type, a media type that is not JSON or cannot be parsed).
 */
function chosenCheck(validator: ResponseValidatorInstance, validators: Validators, byStatus: Map<number, StatusChoices>, res: Response): Choice {
  const status = res.statusCode;
  let choices = byStatus.get(status);
  if (choices === undefined) {
    choices = { byContentType: new Map(), byAccept: new Map() };
    if (byStatus.size < KEPT) byStatus.set(status, choices);
  }
  const contentType = res.getHeader('content-type');
  if (typeof contentType === 'string' && contentType !== '') {
    let choice = choices.byContentType.get(contentType);
    if (choice === undefined && !choices.byContentType.has(contentType)) {
      choice = choose(validator, validators, status, [contentType]);
      if (choices.byContentType.size < KEPT) choices.byContentType.set(contentType, choice);
    }
    return choice;
  }
  if (contentType !== undefined) return undefined;
  const accept = res.req.headers.accept;
  let choice = choices.byAccept.get(accept);
  if (choice === undefined && !choices.byAccept.has(accept)) {
    choice = choose(validator, validators, status, accept ? accept.split(',').map((h) => h.trim()) : []);
    if (choices.byAccept.size < KEPT) choices.byAccept.set(accept, choice);
  }
  return choice;
}

/** `_validate`'s choice of a compiled check, for one status and list of accepted media types. */
function choose(validator: ResponseValidatorInstance, validators: Validators, status: number, accepts: string[]): Choice {
  const forStatus = validators[status] ?? validators[`${String(status)[0]}XX`] ?? validators.default;
  if (forStatus === undefined) return undefined;
  const types = Object.keys(forStatus);
  if (types.length === 0) return undefined;
  const { findResponseContent } = validatorRequire('./middlewares/util.js') as { findResponseContent: (accepts: string[], types: string[]) => string | undefined };
  const type = findResponseContent(accepts, types) || types[0];
  if (!type || forStatus[type] === undefined) return undefined;
  try {
    if (!validator.canValidateContentType(type)) return undefined;
  } catch {
    return undefined;
  }
  return forStatus[type];
}

/**
 * Whether `validate` passes the body; known without running it when the text is the one it passed
 * last (a client polling a job gets the same answer until the job moves on). Only the last: a set
 * of every text passed grew with every distinct answer (each create's), megabytes a test run kept.
 */
function passes(validate: Validate, body: unknown, text: string): boolean {
  if (lastPassed.get(validate) === text) return true;
  if (!validate({ response: body })) return false;
  if (text.length <= LONGEST_REMEMBERED) lastPassed.set(validate, text);
  return true;
}
