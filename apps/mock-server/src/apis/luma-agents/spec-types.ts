// What this folder uses of spec/luma-agents's generated types (`@imagegen/spec/luma-agents/types`,
// which has an alias per schema and request body).
import type { RequestBodyGenerationCreateRequest } from '@imagegen/spec/luma-agents/types';

export type {
  AspectRatio,
  Generation,
  GenerationFailureCode,
  GenerationState,
  GenerationType,
  ImageInput,
  Model,
  OutputFormat,
  Style,
  components,
  operations,
} from '@imagegen/spec/luma-agents/types';

export type GenerationCreateRequest = RequestBodyGenerationCreateRequest['content']['application/json'];
