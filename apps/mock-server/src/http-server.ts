import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

import type { Express } from 'express';

type RequestConstructor = (this: IncomingMessage, socket: Socket) => void;
type ResponseConstructor = (this: ServerResponse, req: IncomingMessage, options?: object) => void;

/**
 * An HTTP server for an Express app whose request and response objects are created with the app's
 * own prototypes (`app.request`, `app.response`).
 *
 * Express's init middleware otherwise calls `Object.setPrototypeOf` on every `req` and `res`, which
 * throws away V8's inline caches for both objects: with it the mock spent about twice the CPU per
 * request (`pnpm bench`; expressjs/express#5998 measures the same on a bare app). The prototypes are
 * then already right, so that call changes nothing. `serve()` uses this; use it too when you listen
 * yourself: `createHttpServer(mock.app).listen(0, '127.0.0.1')`.
 */
export function createHttpServer(app: Express): Server {
  // Node's http classes are still ES5 constructor functions, which can be called on a new object.
  // Should a Node version turn them into classes, fall back to the plain (slower) server.
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return createServer(app);

  const ExpressRequest = function ExpressRequest(this: IncomingMessage, socket: Socket) {
    (IncomingMessage as unknown as RequestConstructor).call(this, socket);
  } as unknown as typeof IncomingMessage;
  ExpressRequest.prototype = app.request;

  const ExpressResponse = function ExpressResponse(this: ServerResponse, req: IncomingMessage, options?: object) {
    (ServerResponse as unknown as ResponseConstructor).call(this, req, options);
  } as unknown as typeof ServerResponse;
  ExpressResponse.prototype = app.response as unknown as ServerResponse;

  return createServer({ IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse }, app);
}

function isClass(constructor: unknown): boolean {
  return /^class\b/.test(Function.prototype.toString.call(constructor));
}
