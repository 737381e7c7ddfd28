// Names for the spec's schemas, and unions derived from it, so no enum is copied by hand.
import type { components, operations } from '@imagegen/spec/luma-agents/types';

type Schemas = components['schemas'];

/** The body of `POST /generations`. */
export type GenerationCreateRequest = components['requestBodies']['GenerationCreateRequest']['content']['application/json'];
export type Generation = Schemas['Generation'];
export type GenerationOutput = Schemas['GenerationOutput'];
export type GenerationState = Schemas['GenerationState'];
export type GenerationFailureCode = Schemas['GenerationFailureCode'];
export type GenerationType = Schemas['GenerationType'];
export type ImageInput = Schemas['ImageInput'];
export type Model = Schemas['Model'];
export type AspectRatio = Schemas['AspectRatio'];
export type OutputFormat = Schemas['OutputFormat'];
export type Style = Schemas['Style'];

type Responses<Op extends keyof operations> = operations[Op]['responses'];
type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The HTTP statuses the spec documents for an operation, success and error alike. */
export type DocumentedStatus<Op extends keyof operations = keyof operations> = {
  [O in Op]: keyof Responses<O>;
}[Op];

/** The statuses the spec documents as errors (400 and up) for an operation. */
export type DocumentedErrorStatus<Op extends keyof operations = keyof operations> = {
  [O in Op]: {
    [S in keyof Responses<O>]: S extends number ? (`${S}` extends `${1 | 2 | 3}${string}` ? never : S) : never;
  }[keyof Responses<O>];
}[Op];

/** The JSON body of every documented error response: `{ detail }`, the status telling them apart. */
export type LumaAgentsErrorBody = {
  [O in keyof operations]: { [S in DocumentedErrorStatus<O>]: JsonBody<Responses<O>[S]> }[DocumentedErrorStatus<O>];
}[keyof operations];

/** States after which a generation never changes. */
export const TERMINAL_STATES = ['completed', 'failed'] as const satisfies readonly GenerationState[];
export type TerminalState = (typeof TERMINAL_STATES)[number];

export function isTerminalState(state: GenerationState): state is TerminalState {
  return (TERMINAL_STATES as readonly GenerationState[]).includes(state);
}

/**
 * Statuses worth retrying for a request that is safe to repeat: Luma's guide calls 429 (honour
 * Retry-After), 502 and 503 retryable. `satisfies` rejects a status the spec does not document.
 */
export const RETRYABLE_STATUSES = [429, 502, 503] as const satisfies readonly DocumentedErrorStatus[];
