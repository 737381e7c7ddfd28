// Names for the generated types of spec/luma-agents (`@imagegen/spec/luma-agents/types`) this folder uses.
import type { components } from '@imagegen/spec/luma-agents/types';

export type { components, operations } from '@imagegen/spec/luma-agents/types';

type Schemas = components['schemas'];

export type GenerationCreateRequest = components['requestBodies']['GenerationCreateRequest']['content']['application/json'];
export type Generation = Schemas['Generation'];
export type GenerationState = Schemas['GenerationState'];
export type GenerationFailureCode = Schemas['GenerationFailureCode'];
export type GenerationType = Schemas['GenerationType'];
export type ImageInput = Schemas['ImageInput'];
export type Model = Schemas['Model'];
export type AspectRatio = Schemas['AspectRatio'];
export type OutputFormat = Schemas['OutputFormat'];
export type Style = Schemas['Style'];
