// Must stay the first import: on an unsupported Node it says which Node is needed before any module that needs one runs.
import './require-supported-node.js';

export { createMockServer } from './create-mock-server.js';
export type { InspectorOptions, MockServer, MockServerOptions, MountedApi } from './create-mock-server.js';
export { formatMockEvent } from './mock-events.js';
export type { JobEvent, MockEvent, RequestEvent } from './mock-events.js';
export { INSPECTOR_SCHEMA } from './core/inspector/schema.js';
export { INSPECTOR_ROUTES_PATH } from './core/inspector/routes.js';
export type { DeliveryView, InspectorSnapshot, JobView, RequestSummary } from './core/inspector/snapshot.js';
export type { RequestRecord } from './core/inspector/request-log.js';
export { DEFAULT_DRAIN_MS, serve } from './serve.js';
export type { CloseOptions, RunningMockServer, ServeOptions } from './serve.js';
export { createHttpServer } from './http-server.js';
export { loadConfig } from './config/load-config.js';
export type { MockConfigFile, WebhookFileOptions } from './config/load-config.js';
export { ManualClock, SystemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export type { TimingMode } from './core/timing.js';
export type { JobTiming } from './core/job-store.js';
export type { ApiKeyConfig, WorkspaceConfig } from './core/api-keys.js';
export type { ApiDescriptor, VendorApi } from './core/vendor-api.js';
export type { ApiContext, ApiState, CallbackSender, JobSnapshot } from './core/api-context.js';
export type { JobPhase, TerminalPhase } from './core/job-store.js';
export type { ResponseViolation } from './core/mount-api.js';
// The registry and each API's own exports (descriptor, dev keys, config types, error helpers).
export * from './apis/registry.js';
export { imageSize } from './core/images/image-size.js';
export type { ImageFormat, ImageSize } from './core/images/image-size.js';
// Spec reading the mock is built on, for tests that take their cases from the spec too.
export { basePathOf, deref, loadSpec, specPath } from './core/spec-document.js';
export type { OpenApiDocument } from './core/spec-document.js';
export { listOperations } from './core/operations.js';
export type { Operation } from './core/operations.js';
// Webhook delivery shared by every API (retries on the mock clock, outbound address policy, log).
export { WEBHOOK_STATUSES, WebhookDispatcher, settleOnManualClock } from './core/webhooks.js';
export type {
  AttemptOutcome,
  WebhookAttempt,
  WebhookDelivery,
  WebhookDispatcherOptions,
  WebhookFilter,
  WebhookRequest,
  WebhookStatus,
  WebhookViolation,
} from './core/webhooks.js';
export { WEBHOOK_ROUTES_PATH, deliveryToJson, webhookRoutes } from './core/webhook-routes.js';
export type { WebhookDeliveryJson } from './core/webhook-routes.js';
export { DEFAULT_ALLOWED_RANGES, OutboundPolicy } from './core/outbound-address.js';
export type { HostResolver, ResolvedAddress } from './core/outbound-address.js';
export { CallbackSchemaCheck } from './core/callback-check.js';
export type { CallbackSelector } from './core/callback-check.js';
export { PROVENANCE_KEYWORD, PROVENANCE_PROMPT_CHARACTERS, readImageProvenance } from './core/images/provenance.js';
export type { ImageProvenance, ImageProvenanceRecord } from './core/images/provenance.js';
export { ANY_OPERATION, FaultPlanError, FaultPlans, OUTPUT_OPERATION, PLANNED_FAULTS } from './core/fault-plans.js';
export type { FaultPlan, FaultPlanInput, FiredFault, PlannedFaultKind } from './core/fault-plans.js';
export { FAULT_PLAN_ROUTES_PATH } from './core/fault-plan-routes.js';
