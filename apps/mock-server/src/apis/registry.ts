import type { ApiDescriptor } from '../core/vendor-api.js';
import { lumaAgents } from './luma-agents/index.js';
import { lumen } from './lumen/index.js';
import { lumixai } from './lumixai/index.js';
import { useapiLuma } from './useapi-luma/index.js';
import { lumozai } from './lumozai/index.js';

// Each API's public surface (its descriptor, dev keys, config types, error helpers: what its
// `index.ts` exports) is the package's too: src/index.ts re-exports this file, so an API's exports
// are written once, in its own folder.
export * from './luma-agents/index.js';
export * from './lumen/index.js';
export * from './lumixai/index.js';
export * from './useapi-luma/index.js';
export * from './lumozai/index.js';

/**
 * Every API the mock serves, one descriptor each (`src/apis/<slug>/index.ts`), in the order
 * `GET /` and the start-up log list them. Adding an API is its import and export lines above and
 * its entry here.
 */
export const APIS = [lumixai, lumen, lumaAgents, useapiLuma, lumozai] as const;

type Descriptor = (typeof APIS)[number];

export type ApiSlug = Descriptor['slug'];

/** Per-API settings, by slug. */
export type ApiConfigs = {
  [D in Descriptor as D['slug']]?: D extends ApiDescriptor<string, infer C> ? C : never;
};

export const API_SLUGS: readonly ApiSlug[] = APIS.map((api) => api.slug);

/** The descriptor of one API. */
export function apiDescriptor(slug: string): ApiDescriptor<ApiSlug> | undefined {
  return (APIS as readonly ApiDescriptor<ApiSlug>[]).find((api) => api.slug === slug);
}
