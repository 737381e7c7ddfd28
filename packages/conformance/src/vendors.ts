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
  const found = operationsOf(loadSpec(vendor)).find((candidate) => candidate.operation.operationId === operationId);
  return Object.keys(found?.operation.responses ?? {})
    .filter((status) => /^\d{3}$/.test(status) && status[0] === statusClass[0])
    .map(Number);
}

type SpecDocument = ReturnType<typeof loadSpec>;
type Parameter = { name?: string; in?: string };
type Operation = { operationId?: string; parameters?: unknown[]; callbacks?: Record<string, unknown>; responses?: Record<string, unknown> };

/** `value`, or what its local `$ref` (`#/components/...`) points at. */
function deref<T>(doc: SpecDocument, value: unknown): T | undefined {
  const ref = (value as { $ref?: unknown } | null)?.$ref;
  if (typeof ref !== 'string') return (value ?? undefined) as T | undefined;
  let found: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) found = (found as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return found as T | undefined;
}

/** Every operation of `doc`'s paths with the path item's parameters before its own. */
function operationsOf(doc: SpecDocument): Array<{ operation: Operation; parameters: Parameter[] }> {
  const found: Array<{ operation: Operation; parameters: Parameter[] }> = [];
  for (const item of Object.values(doc.paths ?? {})) {
    const shared = ((item as { parameters?: unknown[] } | undefined)?.parameters ?? []) as unknown[];
    for (const [method, candidate] of Object.entries(item ?? {})) {
      if (method === 'parameters' || typeof candidate !== 'object' || candidate === null) continue;
      const operation = candidate as Operation;
      const parameters = [...shared, ...(operation.parameters ?? [])].flatMap((parameter) => deref<Parameter>(doc, parameter) ?? []);
      found.push({ operation, parameters });
    }
  }
  return found;
}

/**
 * Whether `vendor`'s spec declares the header `name` (case-insensitive) as a parameter of a role's
 * operation (or an operationId): `Idempotency-Key` on the submission says a retry cannot bill twice.
 */
export function declaresHeader(vendor: VendorSlug, operation: string, name: string): boolean {
  const operationId = operationOf(vendor, operation);
  const doc = loadSpec(vendor);
  return operationsOf(doc).some((found) => found.operation.operationId === operationId && found.parameters.some((parameter) => parameter.in === 'header' && parameter.name?.toLowerCase() === name.toLowerCase()));
}

/**
 * The signature headers `vendor`'s spec declares on the webhooks it sends (its callbacks' header
 * parameters named like \`*Signature*\`): empty for a vendor whose callbacks are unsigned or absent.
 */
export function callbackSignatureHeaders(vendor: VendorSlug): string[] {
  const doc = loadSpec(vendor);
  const callbacks = [
    ...Object.values((doc.components as { callbacks?: Record<string, unknown> } | undefined)?.callbacks ?? {}),
    ...operationsOf(doc).flatMap((found) => Object.values(found.operation.callbacks ?? {})),
  ];
  const names = new Set<string>();
  for (const callback of callbacks) {
    for (const item of Object.values(deref<Record<string, Record<string, Operation>>>(doc, callback) ?? {})) {
      for (const operation of Object.values(item ?? {})) {
        for (const parameter of operation.parameters ?? []) {
          const resolved = deref<Parameter>(doc, parameter);
          if (resolved?.in === 'header' && resolved.name && /signature/i.test(resolved.name)) names.add(resolved.name);
        }
      }
    }
  }
  return [...names];
}
