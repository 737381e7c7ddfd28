// Names for the generated types of spec/lumozai (`@imagegen/spec/lumozai/types`) this folder uses.
import type { components } from '@imagegen/spec/lumozai/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type { components, operations } from '@imagegen/spec/lumozai/types';

type Schemas = components['schemas'];

export type RunResponse = Schemas['RunResponse'];
export type CheckResponse = Schemas['CheckResponse'];
/** Every `data.status` the spec documents for a run. */
export type RequestStatus = (Schemas['CheckProcessingData'] | Schemas['CheckCompletedData'] | Schemas['CheckFailedData'])['status'];
/** Every `error.code` the spec documents. */
export type LumozAIErrorCode = JsonResponseBody<components>['error']['code'];
