import { describe, expect, it } from 'vitest';

import type { HmacSignatureFormat } from '../src/hmac-signature.js';
import { signHmac, verifyHmacSignature } from '../src/hmac-signature.js';

// Expected digests computed independently of this code, with Python's hmac module, e.g.
//   python3 -c 'import hmac,hashlib; print(hmac.new(b"Jefe", b"what do ya want for nothing?", hashlib.sha256).hexdigest())'
// The first three are also RFC 4231 / RFC 2202 test case 2.
const JEFE = { payload: 'what do ya want for nothing?', secret: 'Jefe' };
const LUMEN_BODY = '{"id":"t1","status":"succeeded","data":[{"url":"https://img.example/猫.png"}]}';
const BINARY_PAYLOAD = new Uint8Array([0xff, 0xfe, 0x00, 0x01]);
const BINARY_SECRET = new Uint8Array([0x00, 0x01, 0x02, 0xff]);

const VECTORS: Array<{
  name: string;
  payload: string | Uint8Array;
  secret: string | Uint8Array;
  format: HmacSignatureFormat;
  signature: string;
}> = [
  {
    name: 'sha256 hex (RFC 4231 case 2)',
    ...JEFE,
    format: {},
    signature: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'sha1 hex (RFC 2202 case 2)',
    ...JEFE,
    format: { algorithm: 'sha1' },
    signature: 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79',
  },
  {
    name: 'sha512 hex (RFC 4231 case 2)',
    ...JEFE,
    format: { algorithm: 'sha512' },
    signature:
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
  },
  {
    name: 'sha256 base64',
    ...JEFE,
    format: { encoding: 'base64' },
    signature: 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=',
  },
  {
    name: 'sha256 base64url with a prefix',
    ...JEFE,
    format: { encoding: 'base64url', prefix: 'v1,' },
    signature: 'v1,W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM',
  },
  {
    name: 'sha256= prefix over UTF-8 JSON (the Lumen format)',
    payload: LUMEN_BODY,
    secret: 'your-secret',
    format: { prefix: 'sha256=' },
    signature: 'sha256=b5472d3c3e0607700fe91a6c422e00a416b01b036a8dc9ca4258ce09133700f6',
  },
  {
    name: 'byte payload and byte secret',
    payload: BINARY_PAYLOAD,
    secret: BINARY_SECRET,
    format: {},
    signature: '75ac25f6a86782ce52891857104fe3cd1f57d8bb409f6d6786548365a5703821',
  },
];

const LUMEN: HmacSignatureFormat = { prefix: 'sha256=' };
const LUMEN_SIGNATURE = 'sha256=b5472d3c3e0607700fe91a6c422e00a416b01b036a8dc9ca4258ce09133700f6';

describe('signHmac', () => {
  it.each(VECTORS)('$name', ({ payload, secret, format, signature }) => {
    expect(signHmac(payload, secret, format)).toBe(signature);
  });
});

describe('verifyHmacSignature', () => {
  it.each(VECTORS)('accepts $name', ({ payload, secret, format, signature }) => {
    expect(verifyHmacSignature(payload, signature, secret, format)).toEqual({ valid: true, secretIndex: 0 });
  });

  it.each([
    { name: 'a string', payload: LUMEN_BODY },
    { name: 'its UTF-8 bytes', payload: new TextEncoder().encode(LUMEN_BODY) },
    { name: 'a Buffer', payload: Buffer.from(LUMEN_BODY, 'utf8') },
  ])('reads the payload given as $name', ({ payload }) => {
    expect(verifyHmacSignature(payload, LUMEN_SIGNATURE, 'your-secret', LUMEN).valid).toBe(true);
  });

  it('accepts upper-case hex', () => {
    const upper = `sha256=${LUMEN_SIGNATURE.slice('sha256='.length).toUpperCase()}`;
    expect(verifyHmacSignature(LUMEN_BODY, upper, 'your-secret', LUMEN).valid).toBe(true);
  });

  it.each([
    { name: 'a changed character', payload: LUMEN_BODY.replace('t1', 't2') },
    { name: 'an added space', payload: LUMEN_BODY.replace('"id":', '"id": ') },
    { name: 'reordered keys', payload: JSON.stringify({ status: 'succeeded', id: 't1', data: [{ url: 'https://img.example/猫.png' }] }) },
    { name: 'a trailing newline', payload: `${LUMEN_BODY}\n` },
    { name: 'nothing', payload: '' },
  ])('reports a mismatch for a payload with $name', ({ payload }) => {
    expect(verifyHmacSignature(payload, LUMEN_SIGNATURE, 'your-secret', LUMEN)).toEqual({ valid: false, reason: 'mismatch' });
  });

  it.each([
    { name: 'another secret', secret: 'your-secret2' },
    { name: 'the secret in another case', secret: 'Your-secret' },
    { name: 'the secret as other bytes', secret: new Uint8Array([1, 2, 3]) },
  ])('reports a mismatch for $name', ({ secret }) => {
    expect(verifyHmacSignature(LUMEN_BODY, LUMEN_SIGNATURE, secret, LUMEN)).toEqual({ valid: false, reason: 'mismatch' });
  });

  const hex = LUMEN_SIGNATURE.slice('sha256='.length);
  it.each([
    { name: 'an empty header', signature: '' },
    { name: 'no prefix', signature: hex },
    { name: 'the prefix in another case', signature: `SHA256=${hex}` },
    { name: 'another prefix', signature: `sha512=${hex}` },
    { name: 'a space after the prefix', signature: `sha256= ${hex}` },
    { name: 'one hex digit too few', signature: `sha256=${hex.slice(1)}` },
    { name: 'one hex digit too many', signature: `sha256=${hex}0` },
    { name: 'a trailing space', signature: `${LUMEN_SIGNATURE} ` },
    { name: 'a non-hex digit', signature: `sha256=${hex.slice(0, -1)}g` },
    { name: 'a sha1 digest', signature: 'sha256=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' },
    { name: 'base64 instead of hex', signature: `sha256=${Buffer.from(hex, 'hex').toString('base64')}` },
    { name: 'two signatures', signature: `${LUMEN_SIGNATURE},${LUMEN_SIGNATURE}` },
  ])('reports $name as malformed', ({ signature }) => {
    expect(verifyHmacSignature(LUMEN_BODY, signature, 'your-secret', LUMEN)).toEqual({ valid: false, reason: 'malformed' });
  });

  it.each([
    { name: 'unpadded base64', encoding: 'base64' as const, signature: 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM' },
    { name: 'padded base64url', encoding: 'base64url' as const, signature: 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=' },
    { name: 'base64url characters in base64', encoding: 'base64' as const, signature: '7_zfauXrL6LSdBbV8YTfnCWafHk_AAAAAAAAAAAAAAAA' },
    { name: 'base64 characters in base64url', encoding: 'base64url' as const, signature: 'Fkt6e/z4GeLjlfvnO1bgo4e9ZCIugx+WECcM1+olBVS' },
  ])('reports $name as malformed', ({ encoding, signature }) => {
    expect(verifyHmacSignature(JEFE.payload, signature, JEFE.secret, { encoding })).toEqual({ valid: false, reason: 'malformed' });
  });

  describe('several secrets, for rotation', () => {
    const signedBy = (secret: string) => signHmac(LUMEN_BODY, secret, LUMEN);

    it.each([
      { name: 'the new secret', signer: 'new-secret', secrets: ['new-secret', 'old-secret'], expected: { valid: true, secretIndex: 0 } },
      { name: 'the old secret', signer: 'old-secret', secrets: ['new-secret', 'old-secret'], expected: { valid: true, secretIndex: 1 } },
      { name: 'the third secret', signer: 'c', secrets: ['a', 'b', 'c'], expected: { valid: true, secretIndex: 2 } },
      { name: 'a secret listed twice', signer: 'b', secrets: ['a', 'b', 'b'], expected: { valid: true, secretIndex: 1 } },
      { name: 'a retired secret', signer: 'retired', secrets: ['new-secret', 'old-secret'], expected: { valid: false, reason: 'mismatch' } },
    ])('a signature by $name', ({ signer, secrets, expected }) => {
      expect(verifyHmacSignature(LUMEN_BODY, signedBy(signer), secrets, LUMEN)).toEqual(expected);
    });
  });

  it.each([
    { name: 'an empty list of secrets', secrets: [], message: 'At least one secret is required' },
    { name: 'an empty secret', secrets: '', message: 'A secret must not be empty' },
    { name: 'an empty secret among others', secrets: ['ok', ''], message: 'A secret must not be empty' },
    { name: 'an empty byte secret', secrets: new Uint8Array(), message: 'A secret must not be empty' },
    { name: 'a secret that is a number', secrets: [42], message: 'A secret must be a string or bytes, got a number' },
    { name: 'undefined secrets', secrets: undefined, message: 'At least one secret is required' },
  ])('throws a TypeError for $name', ({ secrets, message }) => {
    expect(() => verifyHmacSignature(LUMEN_BODY, LUMEN_SIGNATURE, secrets as never, LUMEN)).toThrow(new TypeError(message));
  });

  it.each([
    { name: 'a parsed object', payload: JSON.parse(LUMEN_BODY) as unknown, described: 'an object (Object)' },
    { name: 'an array', payload: [1, 2], described: 'an array' },
    { name: 'null', payload: null, described: 'null' },
    { name: 'an ArrayBuffer', payload: new ArrayBuffer(4), described: 'an object (ArrayBuffer)' },
  ])('throws a TypeError for a payload that is $name', ({ payload, described }) => {
    expect(() => verifyHmacSignature(payload as never, LUMEN_SIGNATURE, 'your-secret', LUMEN)).toThrow(
      new TypeError(`The signed payload must be a string or bytes, got ${described}`),
    );
  });
});
