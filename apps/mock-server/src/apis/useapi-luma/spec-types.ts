// What this folder uses of spec/useapi-luma's generated types (`@imagegen/spec/useapi-luma/types`,
// which has an alias per schema).
export type {
  AspectRatio,
  AssetUploaded,
  ImageBatchCallback,
  ImageJob,
  ImagesCreated,
  ImagesRequest,
  ImagesRequestEcho,
  JobDeleted,
  JobStatus,
  Model,
  Resolution,
  components,
  operations,
} from '@imagegen/spec/useapi-luma/types';
