import { maskKey } from './core/answer-notes.js';
import type { ApiKeyConfig } from './core/api-keys.js';
import { listOperations } from './core/operations.js';
import type { Operation } from './core/operations.js';
import { deref } from './core/spec-document.js';
import type { OpenApiDocument } from './core/spec-document.js';

// What the mock tells a newcomer about itself, on `GET /`, on each docs page and in a 401: the
// keys it accepts and one request that works. Derived from the spec and the keys in force, never
// written per API.

/** A key as the mock shows it to anyone who can reach it. */
export interface ShownKey {
  /** The key in full for a built-in dev key; masked (`air_…ci`) for any other. */
  key: string;
  description?: string;
  /** Set when `key` is masked: a configured key, or one from an environment variable, is a secret. */
  masked?: true;
}

/** The keys in force, built-in dev keys in full and every other key masked. */
export function shownKeys(keys: readonly ApiKeyConfig[], devKeys: readonly ApiKeyConfig[]): ShownKey[] {
  const builtIn = new Set(devKeys.map((dev) => dev.key));
  return keys
    .filter((config) => config.revoked !== true)
    .map((config) => ({
      key: builtIn.has(config.key) ? config.key : maskKey(config.key),
      ...(config.description === undefined ? {} : { description: config.description }),
      ...(builtIn.has(config.key) ? {} : { masked: true as const }),
    }));
}

/** Added to a 401's message: the mock's own hint, marked as such, naming the keys it accepts. */
export function acceptedKeysHint(keys: readonly ShownKey[]): string {
  const names = keys.map((shown) => shown.key);
  return `[imagegen-mock] keys accepted here: ${names.length > 0 ? names.join(', ') : 'none'} (GET / lists them)`;
}

/** The operation a quick start calls: the first POST with an example body, else the first GET without parameters. */
function quickStartOperation(doc: OpenApiDocument): { operation: Operation; body?: { type: string; value: unknown } } | undefined {
  const operations = listOperations(doc);
  for (const operation of operations) {
    if (operation.method !== 'POST') continue;
    const body = exampleBody(doc, operation);
    if (body) return { operation, body };
  }
  const plainGet = operations.find((operation) => operation.method === 'GET' && operation.paramNames.length === 0);
  return plainGet && { operation: plainGet };
}

const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];

function exampleBody(doc: OpenApiDocument, operation: Operation): { type: string; value: unknown } | undefined {
  const path = doc.paths[operation.path] as Record<string, unknown>;
  const requestBody = deref<{ content?: Record<string, { example?: unknown; examples?: Record<string, unknown> }> } | undefined>(doc, (path[operation.method.toLowerCase()] as { requestBody?: unknown }).requestBody);
  for (const type of BODY_TYPES) {
    const media = requestBody?.content?.[type];
    if (!media) continue;
    if (media.example !== undefined) return { type, value: media.example };
    const first = Object.values(media.examples ?? {})[0];
    if (first !== undefined) return { type, value: deref<{ value?: unknown }>(doc, first).value };
  }
  return undefined;
}

/** `'` closes a single-quoted shell word: written as `'\''`. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * One `curl` command that works against this mock as it runs: the spec's first creating call
 * with its own example body (or its first plain GET), authenticated the way the spec says, with `key`.
 */
export function quickStartCurl(doc: OpenApiDocument, baseUrl: string, key: string | undefined): string | undefined {
  const chosen = quickStartOperation(doc);
  if (!chosen) return undefined;
  const { operation, body } = chosen;
  const words = ['curl', '-sS'];
  if (operation.method !== 'GET') words.push('-X', operation.method);
  words.push(shellQuote(`${baseUrl}${operation.path}`));
  const scheme = operation.security[0]?.[0];
  if (scheme && key !== undefined) {
    if (scheme.type === 'apiKey' && scheme.in === 'header') words.push('-H', shellQuote(`${scheme.paramName}: ${key}`));
    else if (scheme.type === 'http') words.push('-H', shellQuote(`Authorization: ${scheme.scheme === 'bearer' ? 'Bearer' : scheme.scheme} ${key}`));
  }
  if (body?.type === 'application/json') words.push('-H', shellQuote('Content-Type: application/json'), '-d', shellQuote(JSON.stringify(body.value)));
  else if (body) for (const [name, value] of Object.entries(body.value as Record<string, unknown>)) words.push('--data-urlencode', shellQuote(`${name}=${String(value)}`));
  return words.join(' ');
}

/**
 * The section a docs page served by the mock gains (Markdown, rendered by Redoc with the API's
 * description): the base URL, the keys, and the quick start.
 */
export function quickStartMarkdown(api: { title: string; baseUrl: string; keys: readonly ShownKey[]; curl: string | undefined }): string {
  const rows = api.keys.map((shown) => `| \`${shown.key}\` | ${(shown.description ?? (shown.masked ? 'configured key (masked)' : '')).replace(/\|/g, '\\|')} |`);
  return [
    '## Try it against this mock server',
    '',
    `This page is served by imagegen-mock, which answers the ${api.title} locally: base URL \`${api.baseUrl}\` (the first server above). Keys it accepts:`,
    '',
    '| key | behaviour |',
    '|---|---|',
    ...rows,
    '',
    ...(api.curl === undefined ? [] : ['A first request:', '', '```sh', api.curl, '```', '']),
    '`GET /` on the mock lists every API with its base URL, keys and this request.',
  ].join('\n');
}
