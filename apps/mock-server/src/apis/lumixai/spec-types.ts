// What this folder uses of spec/lumixai's generated types (`@imagegen/spec/lumixai/types`, which
// has an alias per schema), and what it derives from them.
import type { components } from '@imagegen/spec/lumixai/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type {
  ImageGenerationRequest,
  ImageGenerationResponse,
  ImageJobCreateResponse,
  ImageJobStatusResponse as ImageJob,
  JobStatus,
  Model,
  ModelList,
  Resolution,
  operations,
} from '@imagegen/spec/lumixai/types';

/** Every `error.type` the spec documents. */
export type LumixAIErrorType = JsonResponseBody<components>['error']['type'];
