// Names for the spec's schemas, and unions derived from it, so no enum is copied by hand.
import type { components } from '@imagegen/spec/lumen/types';

type Schemas = components['schemas'];
type Responses = components['responses'];

/**
 * The spec's `dependentRequired: { webhook_url: [webhook_secret] }`, which openapi-typescript does
 * not express: without `webhook_url` there is nothing to sign for; with it, the secret is required.
 */
export type WithWebhookRule<T extends { webhook_url?: unknown; webhook_secret?: unknown }> = T &
  ({ webhook_url?: undefined } | Required<Pick<T, 'webhook_url' | 'webhook_secret'>>);

/** The spec's `anyOf: [required: [image_urls], required: [image]]`: at least one reference image. */
export type WithReferenceImage<T extends { image_urls?: unknown; image?: unknown }> = T &
  (Required<Pick<T, 'image_urls'>> | Required<Pick<T, 'image'>>);

/** Body of `POST /v1/images/generations`, with the spec's conditional rules applied. */
export type GenerationRequest = WithWebhookRule<Schemas['GenerationRequest']>;
/** Body of `POST /v1/images/edits`, with the spec's conditional rules applied. */
export type EditRequest = WithWebhookRule<WithReferenceImage<Schemas['EditRequest']>>;
/** Body of `POST /v1/images/inpaint`, with the spec's conditional rules applied. */
export type InpaintRequest = WithWebhookRule<WithReferenceImage<Schemas['InpaintRequest']>>;

export type TaskCreated = Schemas['TaskCreated'];
export type Task = Schemas['Task'];
export type PendingTask = Schemas['PendingTask'];
export type SucceededTask = Schemas['SucceededTask'];
export type FailedTask = Schemas['FailedTask'];
export type CancelledTask = Schemas['CancelledTask'];
export type TerminalTask = Schemas['TerminalTask'];
export type TaskStatus = Task['status'];
export type TaskError = Schemas['TaskError'];
export type ImageResult = Schemas['ImageResult'];
export type Resolution = Schemas['Resolution'];

/** The body Lumen POSTs to `webhook_url`: the spec's `TaskCompletedPayload`. */
export type LumenWebhookPayload = components['requestBodies']['TaskCompletedPayload']['content']['application/json'];

/** The JSON body of every documented error response. */
export type LumenErrorBody = {
  [K in keyof Responses]: Responses[K] extends { content: { 'application/json': infer B } }
    ? B extends { error: { code: string } }
      ? B
      : never
    : never;
}[keyof Responses];

/** Every `error.code` the spec documents (invalid_request, missing_api_key, ...). */
export type LumenErrorCode = LumenErrorBody['error']['code'];

/**
 * Every status, in lifecycle order. `satisfies` rejects a status the spec does not define, and
 * `test/types.test-d.ts` fails when the spec adds one that is missing here.
 */
export const TASK_STATUSES = [
  'queued',
  'processing',
  'succeeded',
  'failed',
  'cancelled',
] as const satisfies readonly TaskStatus[];

/** Statuses after which a task never changes; the ones a webhook reports. */
export const TERMINAL_TASK_STATUSES = [
  'succeeded',
  'failed',
  'cancelled',
] as const satisfies readonly TerminalTask['status'][];
export type TerminalTaskStatus = (typeof TERMINAL_TASK_STATUSES)[number];

export function isTerminalTask(task: Task): task is TerminalTask {
  return (TERMINAL_TASK_STATUSES as readonly TaskStatus[]).includes(task.status);
}
