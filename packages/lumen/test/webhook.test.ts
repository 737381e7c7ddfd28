import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import type { LumenWebhookErrorReason, LumenWebhookPayload, VerifyLumenWebhookOptions, WebhookHeaders } from '../src/index.js';
import {
  LUMEN_SIGNATURE_FORMAT,
  LUMEN_SIGNATURE_HEADER,
  LUMEN_TIMESTAMP_HEADER,
  LumenWebhookError,
  verifyLumenWebhook,
} from '../src/index.js';
import { resolve, spec } from './support.js';

type Node = Record<string, unknown>;

const SECRET = 'your-secret';
const TIMESTAMP = 1700000000;
const AT_TIMESTAMP: VerifyLumenWebhookOptions = { now: () => TIMESTAMP * 1000 };

// Known vector, computed independently with Python:
//   python3 -c 'import hmac,hashlib; print("sha256="+hmac.new(b"your-secret", """{"id":"t1","status":"succeeded","data":[{"url":"https://img.example/猫.png"}]}""".encode(), hashlib.sha256).hexdigest())'
const BODY = '{"id":"t1","status":"succeeded","data":[{"url":"https://img.example/猫.png"}]}';
const BODY_SIGNATURE = 'sha256=b5472d3c3e0607700fe91a6c422e00a416b01b036a8dc9ca4258ce09133700f6';
const PAYLOAD: LumenWebhookPayload = { id: 't1', status: 'succeeded', data: [{ url: 'https://img.example/猫.png' }] };

/** The headers of a delivery of BODY at TIMESTAMP, as Node hands them to a handler. */
const delivered = (overrides: IncomingHttpHeaders = {}): IncomingHttpHeaders => ({
  'content-type': 'application/json',
  'x-lumen-signature': BODY_SIGNATURE,
  'x-lumen-timestamp': String(TIMESTAMP),
  ...overrides,
});

/** Signs with node:crypto directly, a code path separate from the one under test. */
const sign = (body: string | Uint8Array, secret = SECRET): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

function failure(run: () => unknown): LumenWebhookError {
  try {
    run();
  } catch (error) {
    if (error instanceof LumenWebhookError) return error;
    throw error;
  }
  throw new Error('expected verifyLumenWebhook to throw');
}

// ---------------------------------------------------------------------------------------------

describe('agrees with the spec’s callback', () => {
  const callback = Object.values(resolve((spec.components as Node).callbacks as Node).TaskCompleted as Node)[0] as Node;
  const operation = callback.post as Node;
  const parameters = (operation.parameters as Node[]).map(resolve);
  const media = (resolve(operation.requestBody).content as Node)['application/json'] as Node;
  const examples = Object.entries(media.examples as Node).map(([name, example]) => ({ name, value: resolve(example).value }));

  it('names the two headers the spec documents, both required', () => {
    expect(parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      [LUMEN_SIGNATURE_HEADER, 'header', true],
      [LUMEN_TIMESTAMP_HEADER, 'header', true],
    ]);
  });

  it('writes signatures in the spec’s pattern', () => {
    const pattern = new RegExp((parameters[0]?.schema as Node).pattern as string);
    expect(LUMEN_SIGNATURE_FORMAT.prefix).toBe('sha256=');
    expect(sign(BODY)).toMatch(pattern);
    expect(BODY_SIGNATURE).toMatch(pattern);
  });

  it('accepts the spec’s example signature for the compact JSON of its succeeded example', () => {
    const succeeded = examples.find((example) => example.name === 'succeeded')?.value;
    const body = JSON.stringify(succeeded);
    const headers = { [LUMEN_SIGNATURE_HEADER]: parameters[0]?.example as string, [LUMEN_TIMESTAMP_HEADER]: String(parameters[1]?.example) };

    expect(verifyLumenWebhook(body, headers, SECRET, AT_TIMESTAMP)).toEqual(succeeded);
  });

  it.each(examples)('returns the "$name" payload example once verified', ({ value }) => {
    const body = JSON.stringify(value);
    const headers = delivered({ 'x-lumen-signature': sign(body) });

    expect(verifyLumenWebhook(body, headers, SECRET, AT_TIMESTAMP)).toEqual(value);
  });
});

describe('verifyLumenWebhook accepts', () => {
  it.each<{ name: string; body: string | Uint8Array }>([
    { name: 'a string', body: BODY },
    { name: 'a Buffer (express.raw)', body: Buffer.from(BODY, 'utf8') },
    { name: 'a Uint8Array', body: new TextEncoder().encode(BODY) },
  ])('the raw body as $name, and returns the typed payload', ({ body }) => {
    expect(verifyLumenWebhook(body, delivered(), SECRET, AT_TIMESTAMP)).toEqual(PAYLOAD);
  });

  it.each<{ name: string; headers: WebhookHeaders }>([
    { name: 'node:http headers', headers: delivered() },
    { name: 'Fetch Headers', headers: new Headers(delivered() as Record<string, string>) },
    { name: 'headers spelled as documented', headers: { 'X-Lumen-Signature': BODY_SIGNATURE, 'X-Lumen-Timestamp': String(TIMESTAMP) } },
    { name: 'one-element arrays', headers: { 'x-lumen-signature': [BODY_SIGNATURE], 'x-lumen-timestamp': [String(TIMESTAMP)] } },
  ])('$name', ({ headers }) => {
    expect(verifyLumenWebhook(BODY, headers, SECRET, AT_TIMESTAMP)).toEqual(PAYLOAD);
  });

  it.each([
    { name: 'the new secret', signer: 'new-secret' },
    { name: 'the old secret', signer: 'old-secret' },
  ])('a delivery signed with $name while both are configured', ({ signer }) => {
    const headers = delivered({ 'x-lumen-signature': sign(BODY, signer) });

    expect(verifyLumenWebhook(BODY, headers, ['new-secret', 'old-secret'], AT_TIMESTAMP)).toEqual(PAYLOAD);
  });

  it.each([
    { name: '300 s old', offset: -300, options: {} },
    { name: '300 s ahead', offset: 300, options: {} },
    { name: '60 s old with a 60 s tolerance', offset: -60, options: { toleranceSeconds: 60 } },
    { name: '10 years old with the check off', offset: -10 * 365 * 86_400, options: { toleranceSeconds: Infinity } },
  ])('a timestamp $name', ({ offset, options }) => {
    const headers = delivered({ 'x-lumen-timestamp': String(TIMESTAMP + offset) });

    expect(verifyLumenWebhook(BODY, headers, SECRET, { ...AT_TIMESTAMP, ...options })).toEqual(PAYLOAD);
  });

  it('reads the clock from Date.now by default', () => {
    const headers = delivered({ 'x-lumen-timestamp': String(Math.floor(Date.now() / 1000)) });

    expect(verifyLumenWebhook(BODY, headers, SECRET)).toEqual(PAYLOAD);
  });
});

describe('verifyLumenWebhook refuses', () => {
  const reserialized = JSON.stringify(JSON.parse(BODY), null, 2);
  const reordered = JSON.stringify({ status: 'succeeded', id: 't1', data: PAYLOAD.status === 'succeeded' ? PAYLOAD.data : [] });
  const signed = (body: string | Uint8Array) => ({ body, headers: delivered({ 'x-lumen-signature': sign(body) }) });

  it.each<{ name: string; body: string | Uint8Array; headers: IncomingHttpHeaders; secrets?: string | string[]; options?: VerifyLumenWebhookOptions; reason: LumenWebhookErrorReason }>([
    { name: 'a tampered body', body: BODY.replace('t1', 't2'), headers: delivered(), reason: 'signature_mismatch' },
    { name: 'a body parsed and re-serialized', body: reserialized, headers: delivered(), reason: 'signature_mismatch' },
    { name: 'a body with its keys reordered', body: reordered, headers: delivered(), reason: 'signature_mismatch' },
    { name: 'the wrong secret', body: BODY, headers: delivered(), secrets: 'not-your-secret', reason: 'signature_mismatch' },
    { name: 'a retired secret', body: BODY, headers: delivered({ 'x-lumen-signature': sign(BODY, 'retired') }), secrets: ['new', 'old'], reason: 'signature_mismatch' },
    { name: 'no signature', body: BODY, headers: delivered({ 'x-lumen-signature': undefined }), reason: 'missing_signature' },
    { name: 'a signature without its prefix', body: BODY, headers: delivered({ 'x-lumen-signature': BODY_SIGNATURE.slice(7) }), reason: 'malformed_signature' },
    { name: 'a sha1= signature', body: BODY, headers: delivered({ 'x-lumen-signature': 'sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79' }), reason: 'malformed_signature' },
    { name: 'a truncated signature', body: BODY, headers: delivered({ 'x-lumen-signature': BODY_SIGNATURE.slice(0, -2) }), reason: 'malformed_signature' },
    { name: 'two signatures', body: BODY, headers: delivered({ 'x-lumen-signature': [BODY_SIGNATURE, BODY_SIGNATURE] }), reason: 'malformed_signature' },
    { name: 'two signatures joined by node', body: BODY, headers: delivered({ 'x-lumen-signature': `${BODY_SIGNATURE}, ${BODY_SIGNATURE}` }), reason: 'malformed_signature' },
    { name: 'no timestamp', body: BODY, headers: delivered({ 'x-lumen-timestamp': undefined }), reason: 'missing_timestamp' },
    { name: 'a timestamp in ms', body: BODY, headers: delivered({ 'x-lumen-timestamp': `${TIMESTAMP}000` }), reason: 'timestamp_out_of_tolerance' },
    { name: 'a fractional timestamp', body: BODY, headers: delivered({ 'x-lumen-timestamp': `${TIMESTAMP}.5` }), reason: 'malformed_timestamp' },
    { name: 'a negative timestamp', body: BODY, headers: delivered({ 'x-lumen-timestamp': '-1' }), reason: 'malformed_timestamp' },
    { name: 'an ISO timestamp', body: BODY, headers: delivered({ 'x-lumen-timestamp': '2023-11-14T22:13:20Z' }), reason: 'malformed_timestamp' },
    { name: 'an empty timestamp', body: BODY, headers: delivered({ 'x-lumen-timestamp': '' }), reason: 'malformed_timestamp' },
    { name: 'a timestamp 301 s old', body: BODY, headers: delivered({ 'x-lumen-timestamp': String(TIMESTAMP - 301) }), reason: 'timestamp_out_of_tolerance' },
    { name: 'a timestamp 301 s ahead', body: BODY, headers: delivered({ 'x-lumen-timestamp': String(TIMESTAMP + 301) }), reason: 'timestamp_out_of_tolerance' },
    { name: 'a timestamp 61 s old with a 60 s tolerance', body: BODY, headers: delivered({ 'x-lumen-timestamp': String(TIMESTAMP - 61) }), options: { toleranceSeconds: 60 }, reason: 'timestamp_out_of_tolerance' },
    { name: 'a signed body that is not JSON', ...signed('id=t1&status=succeeded'), reason: 'invalid_payload' },
    { name: 'a signed body that is not UTF-8', ...signed(new Uint8Array([0x7b, 0xff, 0x7d])), reason: 'invalid_payload' },
    { name: 'a signed array', ...signed('[]'), reason: 'invalid_payload' },
    { name: 'a signed task still processing', ...signed('{"id":"t1","status":"processing"}'), reason: 'invalid_payload' },
    { name: 'a signed task without an id', ...signed('{"status":"cancelled"}'), reason: 'invalid_payload' },
    { name: 'a signed succeeded task without data', ...signed('{"id":"t1","status":"succeeded"}'), reason: 'invalid_payload' },
    { name: 'a signed failed task without error', ...signed('{"id":"t1","status":"failed"}'), reason: 'invalid_payload' },
  ])('$name → $reason', ({ body, headers, secrets = SECRET, options = {}, reason }) => {
    const error = failure(() => verifyLumenWebhook(body, headers, secrets, { ...AT_TIMESTAMP, ...options }));

    expect(error).toMatchObject({ name: 'LumenWebhookError', reason });
  });

  it('says to verify the raw bytes when the signature does not match', () => {
    const error = failure(() => verifyLumenWebhook(reserialized, delivered(), [SECRET, 'old'], AT_TIMESTAMP));

    expect(error.message).toBe(
      'X-Lumen-Signature does not match the body under any of the 2 secret(s). ' +
        'Verify the raw bytes as received: a body parsed and serialized again (JSON.stringify(req.body)) is not what Lumen signed.',
    );
  });

  it('checks the signature before the timestamp, so a forged fresh delivery is reported as forged', () => {
    const headers = delivered({ 'x-lumen-timestamp': String(TIMESTAMP - 3600) });

    expect(failure(() => verifyLumenWebhook(BODY.replace('t1', 't9'), headers, SECRET, AT_TIMESTAMP)).reason).toBe('signature_mismatch');
    expect(failure(() => verifyLumenWebhook(BODY, headers, SECRET, AT_TIMESTAMP)).reason).toBe('timestamp_out_of_tolerance');
  });

  it.each([
    { name: 'a parsed object (express.json)', body: JSON.parse(BODY) as unknown, got: 'an object' },
    { name: 'an array', body: [BODY], got: 'an array' },
    { name: 'undefined (no body parser ran)', body: undefined, got: 'undefined' },
    { name: 'null', body: null, got: 'null' },
  ])('$name with a TypeError that says to keep the raw body', ({ body, got }) => {
    expect(() => verifyLumenWebhook(body as never, delivered(), SECRET, AT_TIMESTAMP)).toThrow(
      new TypeError(
        `verifyLumenWebhook needs the raw request body (a Buffer, Uint8Array or string exactly as received), got ${got}. ` +
          'A body parser already turned it into an object, and re-serializing it would not give the signed bytes: ' +
          "keep the raw body on the webhook route, e.g. express.raw({ type: 'application/json' }), and parse it after verifying.",
      ),
    );
  });

  it.each([
    { name: 'no secret', secrets: [], message: 'At least one secret is required' },
    { name: 'an empty secret (an unset environment variable)', secrets: '', message: 'A secret must not be empty' },
  ])('a configuration with $name, with a TypeError even when the header is missing', ({ secrets, message }) => {
    expect(() => verifyLumenWebhook(BODY, delivered(), secrets, AT_TIMESTAMP)).toThrow(new TypeError(message));
    expect(() => verifyLumenWebhook(BODY, {}, secrets, AT_TIMESTAMP)).toThrow(new TypeError(message));
  });

  it.each([-1, Number.NaN])('a toleranceSeconds of %d with a TypeError', (toleranceSeconds) => {
    expect(() => verifyLumenWebhook(BODY, delivered(), SECRET, { ...AT_TIMESTAMP, toleranceSeconds })).toThrow(TypeError);
  });
});

// ---------------------------------------------------------------------------------------------
// The README's node:http receiver, run for real
// ---------------------------------------------------------------------------------------------

describe('a node:http receiver that keeps the raw body', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((done) => server?.close(done) ?? done(undefined));
    server = undefined;
  });

  async function receiver(secrets: string[]): Promise<{ url: string; received: LumenWebhookPayload[] }> {
    const received: LumenWebhookPayload[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        try {
          received.push(verifyLumenWebhook(Buffer.concat(chunks), req.headers, secrets));
          res.writeHead(204).end();
        } catch (error) {
          if (!(error instanceof LumenWebhookError)) throw error;
          res.writeHead(401, { 'Content-Type': 'text/plain' }).end(error.reason);
        }
      });
    });
    await new Promise<void>((listening) => server?.listen(0, '127.0.0.1', listening));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lumen/callback`, received };
  }

  const deliver = (url: string, body: string, signature: string) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        [LUMEN_SIGNATURE_HEADER]: signature,
        [LUMEN_TIMESTAMP_HEADER]: String(Math.floor(Date.now() / 1000)),
      },
      body,
    });

  it('answers 204 to a signed delivery and 401 to a tampered one', async () => {
    const { url, received } = await receiver(['new-secret', SECRET]);

    const accepted = await deliver(url, BODY, sign(BODY));
    const refused = await deliver(url, BODY.replace('t1', 't2'), sign(BODY));

    expect(accepted.status).toBe(204);
    expect([refused.status, await refused.text()]).toEqual([401, 'signature_mismatch']);
    expect(received).toEqual([PAYLOAD]);
  });
});
