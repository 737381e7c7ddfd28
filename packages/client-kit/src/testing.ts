// Test helpers for code that takes a `fetch` (every client of this project does): a fetch that
// records what it was sent and answers from a script, with no server and no network. Published as
// `@imagegen/client-kit/testing`, so projects testing their own use of a client can use it too.

/** One request a {@link scriptedFetch} received, as it was sent. */
export interface SentRequest {
  method: string;
  url: string;
  /** Pathname plus query, e.g. `/api/backend/v1/models`. */
  path: string;
  headers: Headers;
  /** The body as sent, as text (`''` when there is none). */
  body: string;
  /** The request's credentials mode (`'omit'` for a download that must not carry cookies). */
  credentials: RequestCredentials;
}

/** How a {@link scriptedFetch} answers one request: a response, a thrown error (a network failure), or a function of the request. */
export type Reply = Response | Error | ((request: Request) => Response | Promise<Response>);

/**
 * A `fetch` that records every request in `sent` and answers with `replies`, one per request, in
 * order. An `Error` reply is thrown, as a network failure would be; a request beyond the script
 * throws `unscripted request: <method> <url>`, so a test never silently sends more than it planned.
 */
export function scriptedFetch(replies: readonly Reply[]): { fetch: typeof fetch; sent: SentRequest[] } {
  const queue = [...replies];
  const sent: SentRequest[] = [];
  const fake: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    sent.push({
      method: request.method,
      url: request.url,
      path: url.pathname + url.search,
      headers: new Headers(request.headers),
      body: await request.clone().text(),
      credentials: request.credentials,
    });
    const reply = queue.shift();
    if (reply === undefined) throw new Error(`unscripted request: ${request.method} ${request.url}`);
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply(request) : reply;
  };
  return { fetch: fake, sent };
}

/** A JSON response: `body` serialised, `Content-Type: application/json`, plus `headers`. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

/** Awaits `promise` and returns what it rejected with; throws if it resolved instead. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}
