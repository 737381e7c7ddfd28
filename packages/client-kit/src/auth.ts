/**
 * An openapi-fetch middleware (structurally: this package does not depend on openapi-fetch) that
 * sets one header on every API request unless the caller set it already. Downloads from foreign
 * hosts go through `fetchWithoutCredentials`, never through it.
 */
export interface HeaderMiddleware {
  onRequest(params: { request: Request }): Request;
}

/** Sends `name: value` on every request that does not carry `name` already. */
export function defaultHeader(name: string, value: string): HeaderMiddleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has(name)) request.headers.set(name, value);
      return request;
    },
  };
}

/** `Authorization: Bearer <key>`: the scheme of Lumen, Luma Agents, useapi.net and LumozAI. */
export function bearerAuth(key: string): HeaderMiddleware {
  return defaultHeader('Authorization', `Bearer ${key}`);
}

/** What {@link requireApiKey} names in its error. */
export interface RequiredKey {
  /** The factory, e.g. `createLumenClient`. */
  client: string;
  /** The option, e.g. `apiKey` or `token`. */
  option: string;
  /** The environment variable the vendor's documentation keeps it in, e.g. `LUMIXAI_API_KEY`. */
  variable: string;
  /** What a key looks like, e.g. `sk-lumen-...`; shown in the error. Default: none. */
  looksLike?: string;
}

/**
 * The key, checked at construction: an unset environment variable (`apiKey:
 * process.env.LUMEN_API_KEY`) would otherwise go out as `Bearer undefined` on every request and
 * come back as a 401 far from its cause. Throws a `TypeError` naming the option and the variable.
 */
export function requireApiKey(value: string | undefined, key: RequiredKey): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  const got = value === undefined ? 'undefined' : JSON.stringify(value);
  throw new TypeError(
    `${key.client} needs ${key.option}${key.looksLike === undefined ? '' : ` (${key.looksLike})`}; got ${got}. ` +
      `Is ${key.variable} set in the environment?`,
  );
}
