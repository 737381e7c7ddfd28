import { API_SLUGS } from '@imagegen/mock-server';
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
 * Each vendor's operations by role: the spec's operationId, or `output` for the URLs its answers
 * hand out (presigned outputs, image files), which a fault plan matches as one operation.
 */
export const OPERATIONS_BY_ROLE: Record<VendorSlug, Record<Role, string>> = {
  lumixai: { submit: 'createImageJob', poll: 'getImageJob', download: 'downloadImageResult' },
  lumen: { submit: 'createGenerationTask', poll: 'getTask', download: 'output' },
  'luma-agents': { submit: 'createGeneration', poll: 'getGeneration', download: 'output' },
  'useapi-luma': { submit: 'createImages', poll: 'getJob', download: 'output' },
  lumozai: { submit: 'runModel', poll: 'checkRequest', download: 'output' },
};

/** A role's operation for `vendor`; any other name is taken as the operationId itself. */
export function operationOf(vendor: VendorSlug, operation: string): string {
  return (ROLES as readonly string[]).includes(operation) ? OPERATIONS_BY_ROLE[vendor][operation as Role] : operation;
}

/**
 * Jobs the mock holds for one accepted submission: useapi.net makes a batch of four image jobs
 * ("Each request produces a batch of 4 images"), the others one. `expected.jobs` counts submissions.
 */
export const JOBS_PER_SUBMISSION: Record<VendorSlug, number> = { lumixai: 1, lumen: 1, 'luma-agents': 1, 'useapi-luma': 4, lumozai: 1 };
