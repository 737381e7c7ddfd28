// What this folder uses of spec/lumozai's generated types (`@imagegen/spec/lumozai/types`, which has
// an alias per schema), and what it derives from them.
import type { CheckCompletedData, CheckFailedData, CheckProcessingData, components } from '@imagegen/spec/lumozai/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type { CheckResponse, RunResponse, components, operations } from '@imagegen/spec/lumozai/types';

/** Every `data.status` the spec documents for a run. */
export type RequestStatus = (CheckProcessingData | CheckCompletedData | CheckFailedData)['status'];
/** Every `error.code` the spec documents. */
export type LumozAIErrorCode = JsonResponseBody<components>['error']['code'];
