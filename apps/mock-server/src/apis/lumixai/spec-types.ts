// Names for the generated types of spec/lumixai (`@imagegen/spec/lumixai/types`) this folder uses.
import type { components } from '@imagegen/spec/lumixai/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type { operations } from '@imagegen/spec/lumixai/types';

type Schemas = components['schemas'];

export type ImageGenerationRequest = Schemas['ImageGenerationRequest'];
export type ImageGenerationResponse = Schemas['ImageGenerationResponse'];
export type ImageJob = Schemas['ImageJobStatusResponse'];
export type ImageJobCreateResponse = Schemas['ImageJobCreateResponse'];
export type JobStatus = Schemas['JobStatus'];
export type Model = Schemas['Model'];
export type ModelList = Schemas['ModelList'];
export type Resolution = Schemas['Resolution'];
/** Every `error.type` the spec documents. */
export type LumixAIErrorType = JsonResponseBody<components>['error']['type'];
