import { describe, expect, it } from 'vitest';

import { bearerAuth, defaultHeader, requireApiKey } from '../src/index.js';

describe('auth', () => {
  it('bearerAuth adds the key unless the request carries an Authorization already', () => {
    const middleware = bearerAuth('k1');
    expect(middleware.onRequest({ request: new Request('https://a.test/') }).headers.get('authorization')).toBe('Bearer k1');
    const own = new Request('https://a.test/', { headers: { Authorization: 'Bearer mine' } });
    expect(middleware.onRequest({ request: own }).headers.get('authorization')).toBe('Bearer mine');
  });

  it('defaultHeader sets any header the same way', () => {
    expect(defaultHeader('X-API-Key', 'k').onRequest({ request: new Request('https://a.test/') }).headers.get('x-api-key')).toBe('k');
  });

  it.each([undefined, '', '   '])('requireApiKey refuses %j, naming the option and the variable', (value) => {
    expect(() => requireApiKey(value, { client: 'createAcmeClient', option: 'apiKey', variable: 'ACME_API_KEY', looksLike: 'ak-...' })).toThrow(
      new TypeError(`createAcmeClient needs apiKey (ak-...); got ${value === undefined ? 'undefined' : JSON.stringify(value)}. Is ACME_API_KEY set in the environment?`),
    );
  });

  it('requireApiKey returns a key as it is', () => {
    expect(requireApiKey('ak-1', { client: 'c', option: 'apiKey', variable: 'V' })).toBe('ak-1');
  });
});
