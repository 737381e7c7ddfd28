// Names for the generated types of spec/lumen (`@imagegen/spec/lumen/types`) this folder uses.
import type { components } from '@imagegen/spec/lumen/types';

import type { JsonResponseBody } from '../../core/spec-types.js';

export type { operations } from '@imagegen/spec/lumen/types';

type Schemas = components['schemas'];

// Bodies as the schemas declare them: express-openapi-validator has already applied the spec's
// conditional rules (dependentRequired, anyOf) the client's request types spell out.
export type GenerationRequest = Schemas['GenerationRequest'];
export type EditRequest = Schemas['EditRequest'];
export type InpaintRequest = Schemas['InpaintRequest'];
export type Task = Schemas['Task'];
export type TaskCreated = Schemas['TaskCreated'];
export type TaskStatus = Task['status'];
export type Resolution = Schemas['Resolution'];
/** Every `error.code` the spec documents. */
export type LumenErrorCode = Extract<JsonResponseBody<components>, { error: { code: string } }>['error']['code'];
