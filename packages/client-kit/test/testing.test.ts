import { describe, expect, it } from 'vitest';

import { jsonResponse, rejectionOf, scriptedFetch } from '../src/testing.js';

describe('scriptedFetch', () => {
  it('records each request as sent and answers from the script in order', async () => {
    const { fetch, sent } = scriptedFetch([jsonResponse(201, { id: 1 }), (request) => new Response(request.method)]);
    const first = await fetch('https://api.test/v1/jobs?x=1', { method: 'POST', headers: { 'X-Key': 'k' }, body: '{"a":1}' });
    const second = await fetch(new Request('https://api.test/v1/jobs/1', { credentials: 'omit' }));
    expect([first.status, await first.json(), await second.text()]).toEqual([201, { id: 1 }, 'GET']);
    expect(sent.map(({ method, url, path, body, credentials }) => ({ method, url, path, body, credentials }))).toEqual([
      { method: 'POST', url: 'https://api.test/v1/jobs?x=1', path: '/v1/jobs?x=1', body: '{"a":1}', credentials: 'same-origin' },
      { method: 'GET', url: 'https://api.test/v1/jobs/1', path: '/v1/jobs/1', body: '', credentials: 'omit' },
    ]);
    expect(sent[0]?.headers.get('x-key')).toBe('k');
  });

  it.each([
    { name: 'an Error reply is thrown like a network failure', replies: [new TypeError('fetch failed')], message: 'fetch failed' },
    { name: 'a request beyond the script is refused', replies: [], message: 'unscripted request: GET https://api.test/' },
  ])('$name', async ({ replies, message }) => {
    const { fetch } = scriptedFetch(replies);
    expect(await rejectionOf(fetch('https://api.test/'))).toMatchObject({ message });
  });
});

describe('jsonResponse and rejectionOf', () => {
  it('builds a JSON response with extra headers', async () => {
    const response = jsonResponse(429, { error: 'slow' }, { 'Retry-After': '3' });
    expect([response.status, response.headers.get('content-type'), response.headers.get('retry-after'), await response.json()]).toEqual([
      429, 'application/json', '3', { error: 'slow' },
    ]);
  });

  it('rejectionOf fails when the promise resolves', async () => {
    await expect(rejectionOf(Promise.resolve(1))).rejects.toThrow(/expected the call to reject/);
  });
});
