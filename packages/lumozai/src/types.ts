// Names for the spec's schemas, and unions derived from it, so no code or field list is copied by hand.
import type { components } from '@imagegen/spec/lumozai/types';

type Schemas = components['schemas'];
type Responses = components['responses'];

/** The request id of a run: an integer below 2^53, so a JSON number holds it exactly. */
export type RequestId = Schemas['RequestId'];

/** The body of `POST /run` as the spec declares it: `model_id`, `webhook`, the documented model parameters, and any others. */
export type RunRequest = Schemas['RunRequest'];
export type CheckRequest = Schemas['CheckRequest'];

/** A value a form field can carry: it is sent as its text. */
export type FormValue = string | number | boolean;

/** The fields the spec names, without its catch-all for model-specific parameters. */
type DeclaredRunParameters = {
  [K in keyof RunRequest as string extends K ? never : K]: RunRequest[K];
};

/**
 * What `run()` sends: `model_id`, optionally `webhook`, and the model's parameters. The documented
 * ones are typed by the spec; other models' parameters may be any text, number or boolean.
 */
export type RunParameters = DeclaredRunParameters & { [parameter: string]: FormValue | undefined };

export type RunResponse = Schemas['RunResponse'];
/** `data` of a run that finished within the request. */
export type RunCompletedData = Schemas['RunCompletedData'];
/** `data` of a run that needs more time: only its `request_id`. */
export type RunAcceptedData = Schemas['RunAcceptedData'];

export type CheckResponse = Schemas['CheckResponse'];
export type CheckProcessingData = Schemas['CheckProcessingData'];
export type CheckCompletedData = Schemas['CheckCompletedData'];
export type CheckFailedData = Schemas['CheckFailedData'];
/** Every `data` of `POST /check`: processing, completed or failed. */
export type CheckData = CheckProcessingData | CheckCompletedData | CheckFailedData;
/** Every `data.status` the spec documents for a run. */
export type RequestStatus = CheckData['status'];

/** What a webhook receives when a run finishes (inferred: the terminal check answer). */
export type RunFinishedCallback = Schemas['RunFinishedCallback'];

/** The JSON body of every documented error response. */
export type LumozAIErrorBody = {
  [K in keyof Responses]: Responses[K]['content'] extends { 'application/json': infer B } ? B : never;
}[keyof Responses];

/** Every `error.code` the spec documents (authentication_failed, validation_error, ...). */
export type LumozAIErrorCode = LumozAIErrorBody['error']['code'];

/** `error.details` of a `validation_error`: each invalid field with its messages. */
export type ValidationErrorDetails = Schemas['ValidationErrorDetails'];
