// A fetch standing in for the server: records each request as the server would receive it and
// answers from a queue of replies.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { parse } from 'yaml';

import type { UseapiLumaClientOptions } from '../src/index.js';
import { createUseapiLumaClient } from '../src/index.js';
export { rejectionOf, jsonResponse as json } from '@imagegen/client-kit/testing';

export const BASE_URL = 'https://api.useapi.test/v1/luma';
export const TOKEN = 'useapi-test-token';

/** A request as it reached the fake server. */
export interface Received {
  method: string;
  /** The URL exactly as sent. */
  url: string;
  /** The raw (undecoded) path after the base URL, e.g. `/jobs/j0326...-bot:luma`. */
  path: string;
  headers: Headers;
  /** A copy of the request whose body is still unread, for `.json()`, `.formData()` or `.bytes()`. */
  request: Request;
}

export type Reply = Response | ((request: Request) => Response | Promise<Response>);

export function fakeApi(replies: readonly Reply[]): { fetch: typeof fetch; received: Received[] } {
  const queue = [...replies];
  const received: Received[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    received.push({
      method: request.method,
      url: request.url,
      path: request.url.slice(BASE_URL.length),
      headers: new Headers(request.headers),
      request: request.clone(),
    });
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`unexpected request: ${request.method} ${request.url}`);
    return typeof reply === 'function' ? reply(request) : reply;
  };
  return { fetch: fetchImpl, received };
}

/** A client over {@link fakeApi}; retries record their delay instead of sleeping. */
export function setup(replies: readonly Reply[], options: Partial<UseapiLumaClientOptions> = {}) {
  const { fetch: fetchImpl, received } = fakeApi(replies);
  const delays: number[] = [];
  const client = createUseapiLumaClient({
    token: TOKEN,
    baseUrl: BASE_URL,
    fetch: fetchImpl,
    retry: {
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
      },
    },
    ...options,
  });
  return { client, received, delays };
}

// ---------------------------------------------------------------------------------------------
// The spec itself, for tables that must cover what it documents.
// ---------------------------------------------------------------------------------------------

type Node = Record<string, unknown>;

export const spec = parse(
  readFileSync(createRequire(import.meta.url).resolve('@imagegen/spec/useapi-luma/openapi.yaml'), 'utf8'),
) as Node;

/** Follows local `$ref`s. */
export function resolve(node: unknown): Node {
  let current = node as Node;
  while (typeof current.$ref === 'string') {
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<Node>((parent, key) => parent[key] as Node, spec);
  }
  return current;
}

/** Every operation of the spec's paths (callbacks excluded): its id, and each status with its JSON examples. */
export function documentedResponses(): Array<{ operationId: string; status: number; examples: unknown[] }> {
  const rows: Array<{ operationId: string; status: number; examples: unknown[] }> = [];
  for (const item of Object.values(spec.paths as Node)) {
    for (const [method, operation] of Object.entries(item as Node)) {
      if (method === 'parameters') continue;
      const op = operation as Node;
      for (const [status, response] of Object.entries(op.responses as Node)) {
        const media = (resolve(response).content as Node | undefined)?.['application/json'] as Node | undefined;
        const examples =
          media?.example !== undefined
            ? [media.example]
            : Object.values((media?.examples ?? {}) as Node).map((example) => resolve(example).value);
        rows.push({ operationId: op.operationId as string, status: Number(status), examples });
      }
    }
  }
  return rows;
}
