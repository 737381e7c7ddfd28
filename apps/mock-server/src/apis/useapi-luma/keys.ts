import type { ApiKeyConfig, Principal } from '../../core/api-keys.js';
import { userNumberOf } from './identifiers.js';

/** A useapi.net API token: the shared fields plus the user number its ids carry. */
export interface UseapiLumaKeyConfig extends Omit<ApiKeyConfig, 'models'> {
  /** The useapi.net user number in job ids and assetRefs (`u<user>`). Default: derived from the workspace. */
  user?: number;
}

/** Dev tokens, printed at start-up; each shows one documented behaviour. */
export const USEAPI_LUMA_DEV_KEYS: readonly UseapiLumaKeyConfig[] = [
  {
    key: 'useapi_mock_dev',
    user: 12345,
    description: 'user 12345: user@example.com runs 4 batches; email expired@example.com gives 402, session-error@example.com 596',
  },
  { key: 'useapi_mock_one_slot', workspace: 'one-slot', user: 23456, description: 'one account, solo@example.com, one batch at a time (a second answers 429)' },
  { key: 'useapi_mock_no_subscription', workspace: 'no-subscription', user: 34567, description: 'its only account has no subscription (402)' },
  { key: 'useapi_mock_session_error', workspace: 'session-error', user: 45678, description: "its only account's Luma session is broken (596)" },
];

/** The user number a caller's job ids and assetRefs carry. */
export function userOf(principal: Principal<UseapiLumaKeyConfig>): number {
  return principal.config.user ?? userNumberOf(principal.workspace);
}
