import type { VendorApi } from '../core/vendor-api.js';
import type { LumixAIMockConfig, LumixAIMockDeps } from './lumixai/lumixai-api.js';
import { LUMIXAI_DEV_KEYS, createLumixAIMock } from './lumixai/lumixai-api.js';
import type { ApiKeyConfig } from '../core/api-keys.js';

/** Per-API settings, by slug. */
export interface ApiConfigs {
  lumixai?: LumixAIMockConfig;
}

export type ApiSlug = keyof ApiConfigs;

/** Every API the mock can serve, by slug; each builds its VendorApi from its settings. */
export const API_FACTORIES: { [S in ApiSlug]-?: (config: NonNullable<ApiConfigs[S]>, deps: LumixAIMockDeps) => VendorApi } = {
  lumixai: createLumixAIMock,
};

/** The environment variable each vendor's own documentation keeps its key in. */
export const DOCUMENTED_KEY_VARIABLES: { [S in ApiSlug]-?: string } = {
  lumixai: 'LUMIXAI_API_KEY',
};

export const API_SLUGS = Object.keys(API_FACTORIES) as ApiSlug[];

/** Keys each API accepts when its config names none. */
export const DEV_KEYS: { [S in ApiSlug]-?: readonly ApiKeyConfig[] } = {
  lumixai: LUMIXAI_DEV_KEYS,
};
