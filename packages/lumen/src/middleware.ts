import type { Middleware } from 'openapi-fetch';

/**
 * Sends the key as `Authorization: Bearer sk-lumen-...`, the only scheme Lumen documents. It is
 * added to API requests only: image downloads go to another host and never carry it.
 */
export function bearerAuthMiddleware(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${apiKey}`);
      return request;
    },
  };
}
