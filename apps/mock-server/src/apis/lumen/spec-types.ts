// What this folder uses of spec/lumen's generated types (`@imagegen/spec/lumen/types`, which has an
// alias per schema), and what it derives from them. Request bodies are as the schemas declare them:
// express-openapi-validator has already applied the conditional rules (dependentRequired, anyOf)
// the client's request types spell out.
import type { Task, components } from '@imagegen/spec/lumen/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type { EditRequest, GenerationRequest, InpaintRequest, Resolution, Task, TaskCreated, operations } from '@imagegen/spec/lumen/types';

export type TaskStatus = Task['status'];
/** Every `error.code` the spec documents. */
export type LumenErrorCode = Extract<JsonResponseBody<components>, { error: { code: string } }>['error']['code'];
