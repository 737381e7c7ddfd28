import { problem } from '../../core/problems.js';

/** A Luma account configured in useapi.net, as the mock's config describes it. */
export interface UseapiLumaAccountConfig {
  /** The Luma account's email, as job ids and `email` name it. Required. */
  email: string;
  /**
   * The workspace (useapi.net user) that configured it. Default: none, meaning every workspace
   * that lists no account of its own gets a copy, with its own slots.
   */
  workspace?: string;
  /** Batches it runs at once; one more answers 429. Default: 4 (the Configure Luma Account page's example `concurrency`). */
  concurrency?: number;
  /** `expired` answers 402 (no subscription or subscription expired). Default: `active`. */
  subscription?: 'active' | 'expired';
  /** `error` answers 596 (the account's Luma session is broken). Default: `ok`. */
  session?: 'ok' | 'error';
}

/**
 * Dev accounts. Those without a workspace are copied into every workspace that has none of its own,
 * so a harness that passes only its own keys still gets `user@example.com` and the two failing ones.
 */
export const USEAPI_LUMA_DEV_ACCOUNTS: readonly UseapiLumaAccountConfig[] = [
  { email: 'user@example.com' },
  { email: 'expired@example.com', subscription: 'expired' },
  { email: 'session-error@example.com', session: 'error' },
  { email: 'solo@example.com', workspace: 'one-slot', concurrency: 1 },
  { email: 'expired@example.com', workspace: 'no-subscription', subscription: 'expired' },
  { email: 'session-error@example.com', workspace: 'session-error', session: 'error' },
];

/** The documented example concurrency of a Luma account. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 4;

/** Something that holds a slot until it settles or is deleted: a batch. */
export interface SlotHolder {
  holdsSlot(): boolean;
}

/** One account of one workspace, with the batches running on it. */
export class Account {
  readonly email: string;
  readonly concurrency: number;
  readonly subscribed: boolean;
  readonly sessionOk: boolean;
  #running = new Set<SlotHolder>();

  constructor(config: UseapiLumaAccountConfig) {
    this.email = config.email;
    this.concurrency = config.concurrency ?? DEFAULT_ACCOUNT_CONCURRENCY;
    this.subscribed = (config.subscription ?? 'active') === 'active';
    this.sessionOk = (config.session ?? 'ok') === 'ok';
  }

  /** Batches holding a slot now; settled and deleted ones are let go as they are found. */
  running(): number {
    for (const holder of this.#running) if (!holder.holdsSlot()) this.#running.delete(holder);
    return this.#running.size;
  }

  hasCapacity(): boolean {
    return this.running() < this.concurrency;
  }

  take(holder: SlotHolder): void {
    this.#running.add(holder);
  }

  clear(): void {
    this.#running.clear();
  }
}

/**
 * Every workspace's accounts. A workspace gets the accounts configured for it, or, when none are,
 * its own copies of the accounts configured without a workspace: a harness that only passes its own
 * keys still has working accounts, and two workspaces never share slots.
 */
export class AccountDirectory {
  readonly #configs: readonly UseapiLumaAccountConfig[];
  readonly #byWorkspace = new Map<string, Map<string, Account>>();

  constructor(configs: readonly UseapiLumaAccountConfig[]) {
    this.#configs = configs;
  }

  /** Whether the workspace has any account: its own, or copies of those configured without one. */
  hasAccounts(workspace: string): boolean {
    return this.#configs.some((config) => config.workspace === workspace || config.workspace === undefined);
  }

  /** The workspace's accounts by lower-cased email, in config order. */
  of(workspace: string): Map<string, Account> {
    let accounts = this.#byWorkspace.get(workspace);
    if (!accounts) {
      const own = this.#configs.filter((config) => config.workspace === workspace);
      const chosen = own.length > 0 ? own : this.#configs.filter((config) => config.workspace === undefined);
      accounts = new Map(chosen.map((config) => [config.email.toLowerCase(), new Account(config)]));
      this.#byWorkspace.set(workspace, accounts);
    }
    return accounts;
  }

  /** The workspace's account with this email, or the documented 400 of `POST /images` naming it. */
  named(workspace: string, email: string): Account | undefined {
    return this.of(workspace).get(email.toLowerCase());
  }

  /**
   * The account a batch runs on when the request names none: a random one among those with a
   * subscription, a working session and a free slot ("auto-selected, random with available
   * capacity"). With no usable account the answer is the first account's own problem; with usable
   * ones all busy, the documented 429.
   */
  pick(workspace: string, random: () => number = Math.random): Account {
    const accounts = [...this.of(workspace).values()];
    if (accounts.length === 0) {
      throw problem('validation', 'No Luma account is configured; add one with POST /accounts');
    }
    const usable = accounts.filter((account) => account.subscribed && account.sessionOk);
    if (usable.length === 0) {
      checkUsable(accounts[0]!);
    }
    const free = usable.filter((account) => account.hasCapacity());
    if (free.length === 0) {
      throw problem('capacity', 'All configured accounts are running at maximum capacity');
    }
    return free[Math.floor(random() * free.length)]!;
  }

  /** Forgets every running batch (the accounts themselves come from the config and stay). */
  clear(): void {
    this.#byWorkspace.clear();
  }
}

/** Refuses, at start-up, a token whose workspace has no account: it could never create anything (every POST /images a 400). */
export function checkTokensHaveAccounts(keys: ReadonlyArray<{ key: string; workspace?: string }>, accounts: AccountDirectory): void {
  for (const [index, key] of keys.entries()) {
    const workspace = key.workspace ?? key.key;
    if (!accounts.hasAccounts(workspace)) {
      throw new Error(
        `apis.useapi-luma.keys[${index}]: its workspace ${JSON.stringify(workspace)} has no Luma account; add one to apis.useapi-luma.accounts with that workspace, or one without a workspace for every workspace`,
      );
    }
  }
}

/** The account's own 402 or 596, if it has one. */
export function checkUsable(account: Account): void {
  if (!account.subscribed) throw problem('insufficient_credits', 'Account has no subscription or subscription expired');
  checkSession(account);
}

/** The account's 596, if its Luma session is broken. */
export function checkSession(account: Account): void {
  if (!account.sessionOk) {
    throw problem(
      'session_error',
      'Luma account has an error. Please check your account configuration via GET /v1/luma/accounts or re-add the account via POST /v1/luma/accounts',
    );
  }
}

/** The account's 402, 596 or 429, for a batch that must run on it. */
export function checkCanRun(account: Account): void {
  checkUsable(account);
  if (!account.hasCapacity()) {
    throw problem(
      'capacity',
      `All configured accounts are running at maximum capacity: ${account.email} runs ${account.concurrency} of ${account.concurrency} batches. Wait for current jobs to complete or use DELETE /jobs/jobid to free slots`,
    );
  }
}
