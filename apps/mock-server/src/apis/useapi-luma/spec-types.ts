// Names for the generated types of spec/useapi-luma (`@imagegen/spec/useapi-luma/types`) this folder uses.
import type { components } from '@imagegen/spec/useapi-luma/types';

export type { components, operations } from '@imagegen/spec/useapi-luma/types';

type Schemas = components['schemas'];

export type ImagesRequest = Schemas['ImagesRequest'];
export type ImagesRequestEcho = Schemas['ImagesRequestEcho'];
export type ImagesCreated = Schemas['ImagesCreated'];
export type ImageJob = Schemas['ImageJob'];
export type ImageBatchCallback = Schemas['ImageBatchCallback'];
export type JobDeleted = Schemas['JobDeleted'];
export type AssetUploaded = Schemas['AssetUploaded'];
export type JobStatus = Schemas['JobStatus'];
export type Model = Schemas['Model'];
export type Resolution = Schemas['Resolution'];
export type AspectRatio = Schemas['AspectRatio'];
