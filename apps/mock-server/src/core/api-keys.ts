import type { IncomingHttpHeaders } from 'node:http';

import type { SecurityScheme } from './operations.js';

/** One API key the mock accepts. */
export interface ApiKeyConfig {
  /** The raw key, exactly as clients send it. Required. */
  key: string;
  /** Workspace that owns the key's jobs and credits. Default: a workspace of its own, named after the key. */
  workspace?: string;
  /** Model ids the key may use; others answer the vendor's permission error. Default: every model. */
  models?: string[];
  /** A revoked key is refused with the vendor's authentication error, saying it was revoked. Default: `false`. */
  revoked?: boolean;
  /** What the key is for, printed in the start-up log. Default: none. */
  description?: string;
}

/** A workspace's starting balance. */
export interface WorkspaceConfig {
  /** Workspace id, as keys name it. Required. */
  id: string;
  /** Starting credits in the vendor's unit (LumixAI: credit micros). Default: unlimited. */
  credits?: number;
}

/** Who a request is from, once its key is known. */
export interface Principal<TKey extends ApiKeyConfig = ApiKeyConfig> {
  key: string;
  workspace: string;
  models: ReadonlySet<string> | undefined;
  revoked: boolean;
  /** The key's whole config, vendor-specific fields (rate limits, groups...) included. */
  config: TKey;
}

export class KeyRegistry<TKey extends ApiKeyConfig = ApiKeyConfig> {
  #byKey = new Map<string, Principal<TKey>>();

  constructor(keys: readonly TKey[]) {
    for (const config of keys) {
      this.#byKey.set(config.key, {
        key: config.key,
        workspace: config.workspace ?? config.key,
        models: config.models ? new Set(config.models) : undefined,
        revoked: config.revoked === true,
        config,
      });
    }
  }

  lookup(key: string): Principal<TKey> | undefined {
    return this.#byKey.get(key);
  }
}

/**
 * Refuses key lists a caller could not have meant: a key listed twice in one API (the last one
 * silently won) or in two APIs. `apis` are the APIs' keys by slug, in config order.
 */
export function checkKeys(apis: ReadonlyArray<{ slug: string; keys: readonly ApiKeyConfig[] }>): void {
  const seen = new Map<string, string>();
  for (const { slug, keys } of apis) {
    for (const [index, { key }] of keys.entries()) {
      const where = `apis.${slug}.keys[${index}]`;
      const first = seen.get(key);
      if (first?.startsWith(`apis.${slug}.`)) throw new Error(`${where}: key ${JSON.stringify(key)} is listed twice (also ${first}); list each key once`);
      if (first !== undefined) throw new Error(`${where}: key ${JSON.stringify(key)} is also ${first}; a key belongs to one API`);
      seen.set(key, where);
    }
  }
}

/**
 * Refuses a key scoped to models the API does not have: every call with it would answer the
 * vendor's permission error, far from the mistake.
 */
export function checkKeyModels(slug: string, keys: readonly ApiKeyConfig[], known: Iterable<string>): void {
  const models = new Set(known);
  for (const [index, key] of keys.entries()) {
    const unknown = (key.models ?? []).filter((model) => !models.has(model));
    if (unknown.length > 0) {
      throw new Error(`apis.${slug}.keys[${index}].models names models ${slug} does not have: ${unknown.join(', ')}; it has ${[...models].join(', ')}`);
    }
  }
}

/**
 * The credential a request presents for an operation's security alternatives, read the way the
 * spec declares each scheme (an API-key header, or `Authorization: Bearer`).
 */
export function readCredential(headers: IncomingHttpHeaders, alternatives: SecurityScheme[][]): string | undefined {
  for (const alternative of alternatives) {
    for (const scheme of alternative) {
      const value = credentialFor(headers, scheme);
      if (value) return value;
    }
  }
  return undefined;
}

function credentialFor(headers: IncomingHttpHeaders, scheme: SecurityScheme): string | undefined {
  if (scheme.type === 'apiKey') {
    if (scheme.in !== 'header') return undefined;
    const value = headers[scheme.paramName.toLowerCase()];
    return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  }
  const authorization = headers.authorization;
  const match = authorization ? /^(\S+)\s+(.+)$/.exec(authorization.trim()) : null;
  if (!match || match[1]?.toLowerCase() !== scheme.scheme) return undefined;
  return match[2]?.trim() || undefined;
}

/** How a scheme is named in messages: `X-API-Key header`, `Authorization: Bearer` ... */
export function describeSchemes(alternatives: SecurityScheme[][]): string {
  return alternatives
    .flat()
    .map((scheme) => (scheme.type === 'apiKey' ? `${scheme.paramName} ${scheme.in}` : `Authorization: ${capitalize(scheme.scheme)} <key>`))
    .join(' or ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
