import { describe, expect, it } from 'vitest';

import { ownJobHandle, parseJobHandle, serializeJobHandle } from '../src/index.js';

describe('job handles', () => {
  const handle = { vendor: 'useapi-luma', baseUrl: 'https://api.useapi.net/v1/luma', id: 'j1', parts: ['j1a', 'j1b'] };

  it('survive a round trip through one short string that names the vendor', () => {
    const text = serializeJobHandle(handle);
    expect(text).toMatch(/^imagegen-job:useapi-luma:[A-Za-z0-9_-]+$/);
    expect(parseJobHandle(text)).toEqual(handle);
    expect(serializeJobHandle({ vendor: 'lumen', baseUrl: 'http://127.0.0.1:4010/lumen', id: 'abc' }).length).toBeLessThan(80);
  });

  it.each(['', 'job:1', 'imagegen-job:', 'imagegen-job:lumen:%%%', `imagegen-job:lumen:${Buffer.from('{"a":1}').toString('base64url')}`])(
    'refuses %j',
    (text) => {
      expect(() => parseJobHandle(text)).toThrow(TypeError);
    },
  );

  it('are resumed only by a client of the same vendor and base URL (a trailing slash aside)', () => {
    const text = serializeJobHandle(handle);
    expect(ownJobHandle(text, 'useapi-luma', 'https://api.useapi.net/v1/luma/')).toEqual(handle);
    expect(() => ownJobHandle(text, 'lumen', handle.baseUrl)).toThrow(/useapi-luma job handle/);
    expect(() => ownJobHandle(text, 'useapi-luma', 'https://evil.test/v1/luma')).toThrow(/submitted to https:\/\/api\.useapi\.net\/v1\/luma/);
  });
});
