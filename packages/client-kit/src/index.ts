export { ApiError, isApiError } from './api-error.js';
export type { ApiErrorOptions } from './api-error.js';
export { parseRetryAfter } from './retry-after.js';
export { fullJitterDelay } from './backoff.js';
export type { FullJitterOptions } from './backoff.js';
export { sleep } from './sleep.js';
export type { Sleep } from './sleep.js';
export { createRetryingFetch } from './retrying-fetch.js';
export type { RetryDecision, RetryInfo, RetryingFetchOptions } from './retrying-fetch.js';
export { waitForJob } from './wait-for-job.js';
export type { PollInfo, WaitForJobOptions } from './wait-for-job.js';
export { waitForJobs } from './wait-for-jobs.js';
export type { JobOutcome, JobsProgress, WaitForJobsOptions } from './wait-for-jobs.js';
export { JobTimeoutError } from './job-timeout-error.js';
export { JobFailedError } from './job-failed-error.js';
export { filenameFromContentDisposition, readResponseBytes, saveResponseToFile } from './download.js';
export type { SavedFile, SaveResponseOptions } from './download.js';
export { runJob } from './run-job.js';
export type { RunJobOptions, RunJobResult } from './run-job.js';
export { DownloadError, fetchWithoutCredentials } from './fetch-without-credentials.js';
export type { DownloadErrorOptions, DownloadErrorReason, FetchWithoutCredentialsOptions } from './fetch-without-credentials.js';
export { signHmac, verifyHmacSignature } from './hmac-signature.js';
export type { HmacAlgorithm, HmacEncoding, HmacSecret, HmacSignatureFormat, HmacVerification } from './hmac-signature.js';
export { anySignal } from './any-signal.js';
export { pathSegment } from './path-segment.js';
export { ClientError, ERROR_KINDS, SAFE_METHODS, errorKindOfStatus, isClientError, statusMayHaveTakenEffect } from './error-kind.js';
export type { ClientErrorInit, ErrorKind } from './error-kind.js';
export { messageFromBody, unexpectedAnswerMessage } from './api-error.js';
export type { JobFailedErrorOptions } from './job-failed-error.js';
export type { JobTimeoutErrorOptions } from './job-timeout-error.js';
export { NetworkError, withNetworkErrors } from './network-error.js';
export type { NetworkErrorOptions, WithNetworkErrorsOptions } from './network-error.js';
export { bearerAuth, defaultHeader, requireApiKey } from './auth.js';
export type { HeaderMiddleware, RequiredKey } from './auth.js';
export { imageDimensions } from './image-size.js';
export type { ImageDimensions } from './image-size.js';
export { ownJobHandle, parseJobHandle, serializeJobHandle } from './job-handle.js';
export type { JobHandle } from './job-handle.js';
export { JobAbortedError, createImageJobs } from './image-jobs.js';
export type {
  DownloadedImage,
  FinishedJob,
  GeneratedImages,
  ImageJobAdapter,
  ImageJobCapabilities,
  ImageJobClient,
  ImageRequest,
  ImageWaitOptions,
  JobCallOptions,
  JobState,
  JobStatus,
  PendingJob,
  SubmitOptions,
} from './image-jobs.js';
