/**
 * Returns `value` for use as one path parameter, refusing '', '.' and '..'. openapi-fetch
 * percent-encodes path parameters but leaves dots, so those would make the URL resolve to another
 * endpoint (`/jobs/..` is `/`), sending the API key there.
 *
 * @param what - Names the value in the error, e.g. `'LumixAI job id'`.
 * @throws TypeError for '', '.' or '..'.
 */
export function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..') throw new TypeError(`Not a ${what}: ${JSON.stringify(value)}`);
  return value;
}
