/**
 * A fetch that drops one header: the runner's "no credentials" client. The clients refuse to be
 * built without a key (an unset variable would otherwise go out as `Bearer undefined`), so a suite
 * builds one with a key that is never sent and removes the header it would carry.
 */
export function withoutHeader(fetchImpl: typeof fetch, name: string): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init);
    request.headers.delete(name);
    return fetchImpl(request);
  };
}
