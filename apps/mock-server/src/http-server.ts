import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

import type { Express } from 'express';

import { ANSWER_SLOT, ARRIVAL_SLOT, JSON_CHECK_NEXT_SLOT, JSON_CHECK_SLOT, NOTES_SLOT } from './core/response-slots.js';

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

  const ExpressRequest = function ExpressRequest(this: Record<string, unknown>, socket: Socket) {
    (IncomingMessage as unknown as RequestConstructor).call(this as unknown as IncomingMessage, socket);
    // What Express, express-openapi-validator and the pipeline set on a request, declared now with the
    // value each reads as before it is set, so a request keeps one hidden class from arrival to answer
    // instead of taking a new one at each field (see response-slots.ts; test/http-server.test.ts).
    this.next = undefined;
    this.baseUrl = undefined;
    this.originalUrl = undefined;
    this.params = undefined;
    this.query = undefined;
    this.res = undefined;
    this.mock = undefined;
    this._parsedUrl = undefined;
    this.openapi = undefined;
    this.body = undefined;
    this._body = undefined;
    // Node's Readable sets `_events` itself and leaves `_eventsCount` to the prototype until a listener comes.
    this._eventsCount = 0;
  } as unknown as typeof IncomingMessage;
  ExpressRequest.prototype = app.request;

  // The response is filled in by ServerResponse.call(this) on an object laid out for this function.
  // V8 sizes that layout by the `this.<name> =` assignments it sees in the function's source, so
  // with none, the fields Node sets by symbol ran out of room and V8 turned every response into a
  // hash table: about 3 KB allocated per response and a lookup for every field read, 4x the cost of
  // building Node's own response. The assignments below never run (Node always passes a request);
  // they only reserve the room, and V8 gives back what a response does not use after the first few.
  const ExpressResponse = function ExpressResponse(this: Record<string | symbol, unknown>, req: IncomingMessage, options?: object) {
    if (req === undefined) {
      this.s0 = 0; this.s1 = 0; this.s2 = 0; this.s3 = 0; this.s4 = 0; this.s5 = 0; this.s6 = 0; this.s7 = 0;
      this.s8 = 0; this.s9 = 0; this.s10 = 0; this.s11 = 0; this.s12 = 0; this.s13 = 0; this.s14 = 0; this.s15 = 0;
      this.s16 = 0; this.s17 = 0; this.s18 = 0; this.s19 = 0; this.s20 = 0; this.s21 = 0; this.s22 = 0; this.s23 = 0;
      this.s24 = 0; this.s25 = 0; this.s26 = 0; this.s27 = 0; this.s28 = 0; this.s29 = 0; this.s30 = 0; this.s31 = 0;
      this.s32 = 0; this.s33 = 0; this.s34 = 0; this.s35 = 0; this.s36 = 0; this.s37 = 0; this.s38 = 0; this.s39 = 0;
      this.s40 = 0; this.s41 = 0; this.s42 = 0; this.s43 = 0; this.s44 = 0; this.s45 = 0; this.s46 = 0; this.s47 = 0;
    }
    (ServerResponse as unknown as ResponseConstructor).call(this as unknown as ServerResponse, req, options);
    // Likewise for what is set on a response. `statusCode` and `statusMessage` are the prototype's
    // values until a handler or writeHead sets them, in an order that varies by handler.
    this.locals = undefined;
    this.statusCode = 200;
    this.statusMessage = undefined;
    this[ARRIVAL_SLOT] = undefined;
    this[NOTES_SLOT] = undefined;
    this[ANSWER_SLOT] = undefined;
    this[JSON_CHECK_SLOT] = undefined;
    this[JSON_CHECK_NEXT_SLOT] = undefined;
  } as unknown as typeof ServerResponse;
  ExpressResponse.prototype = app.response as unknown as ServerResponse;

  return createServer({ IncomingMessage: ExpressRequest, ServerResponse: ExpressResponse }, app);
}

function isClass(constructor: unknown): boolean {
  return /^class\b/.test(Function.prototype.toString.call(constructor));
}
