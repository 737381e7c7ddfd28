import type { Middleware } from 'openapi-fetch';

/**
 * Sends the key as `Authorization: Bearer`, the only scheme LumozAI documents, and asks for JSON as
 * the documentation's examples do (without it, a Laravel-style API may answer errors with HTML).
 */
export function bearerAuthMiddleware(apiKey: string): Middleware {
  return {
    onRequest({ request }) {
      if (!request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${apiKey}`);
      if (!request.headers.has('Accept')) request.headers.set('Accept', 'application/json');
      return request;
    },
  };
}
