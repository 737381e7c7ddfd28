import { API_SLUGS, APIS, loadSpec } from '@imagegen/mock-server';
import type { ApiSlug } from '@imagegen/mock-server';

export type VendorSlug = ApiSlug;

/** Every vendor the mock serves, in its registry's order. */
export const VENDOR_SLUGS: readonly VendorSlug[] = API_SLUGS;

export function isVendorSlug(value: unknown): value is VendorSlug {
  return typeof value === 'string' && (VENDOR_SLUGS as readonly string[]).includes(value);
}

/** The roles a scenario names operations by, so one scenario file serves every vendor. */
export const ROLES = ['submit', 'poll', 'download'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Each vendor's operations by role, as its mock descriptor declares them (`jobOperations`): the
 * spec's operationId, or `output` for the URLs its answers hand out (presigned outputs, image
 * files), which a fault plan matches as one operation. A vendor that declares none is absent.
 */
export const OPERATIONS_BY_ROLE: Partial<Record<VendorSlug, Record<Role, string>>> = Object.fromEntries(
  APIS.flatMap((api) => (api.jobOperations ? [[api.slug, api.jobOperations]] : [])),
);

/** A role's operation for `vendor`; any other name is taken as the operationId itself. */
export function operationOf(vendor: VendorSlug, operation: string): string {
  if (!(ROLES as readonly string[]).includes(operation)) return operation;
  const roles = OPERATIONS_BY_ROLE[vendor];
  if (!roles) throw new Error(`${vendor} declares no jobOperations in its mock descriptor: name the operationId instead of ${operation}`);
  return roles[operation as Role];
}

/**
 * Jobs the mock holds for one accepted submission, as its descriptor says (useapi.net makes a batch
 * of four image jobs, "Each request produces a batch of 4 images"; the others one). `expected.jobs`
 * counts submissions.
 */
export function jobsPerSubmission(vendor: VendorSlug): number {
  return APIS.find((api) => api.slug === vendor)?.jobsPerSubmission ?? 1;
}

/** `createMockServer`'s `apis` for a mock that mounts `vendor` alone (with its defaults). */
export function onlyApi(vendor: VendorSlug): Record<VendorSlug, false | Record<string, never>> {
  return Object.fromEntries(VENDOR_SLUGS.map((slug) => [slug, slug === vendor ? {} : false])) as Record<VendorSlug, false | Record<string, never>>;
}

/**
 * How long `vendor`'s submission may wait for the job and answer with its output instead of a job
 * to poll, as its mock descriptor says (`submitWaitMs`); 0 when it answers at once.
 */
export function submitWaitMs(vendor: VendorSlug): number {
  return APIS.find((api) => api.slug === vendor)?.submitWaitMs ?? 0;
}

/**
 * The statuses of a class (`5xx`) that `vendor`'s spec documents for a role's operation (or an
 * operationId), in the spec's order: a scenario's fault answers with one the vendor really sends.
 */
export function documentedStatuses(vendor: VendorSlug, operation: string, statusClass: string): number[] {
  const operationId = operationOf(vendor, operation);
  for (const item of Object.values(loadSpec(vendor).paths ?? {})) {
    for (const candidate of Object.values(item ?? {})) {
      const found = candidate as { operationId?: string; responses?: Record<string, unknown> } | null;
      if (typeof found !== 'object' || found === null || found.operationId !== operationId) continue;
      return Object.keys(found.responses ?? {})
        .filter((status) => /^\d{3}$/.test(status) && status[0] === statusClass[0])
        .map(Number);
    }
  }
  return [];
}
