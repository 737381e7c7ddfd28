// --record: the proxied exchanges as HAR 1.2, read back with a HAR validator, with no secret that
// was sent or answered left in the file (headers, query strings, body fields, presigned URLs).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import harValidator from 'har-validator';
import { describe, expect, it } from 'vitest';

import { closers, proxyTo, upstream } from './proxy-support.js';

const SECRETS = {
  apiKey: 'sk-live-HEADERKEY-1111',
  bearer: 'BEARERTOKEN-2222',
  queryKey: 'QUERYKEY-3333',
  webhookSecret: 'WEBHOOKSECRET-4444',
  callbackToken: 'CALLBACKTOKEN-5555',
  signature: 'PRESIGNEDSIG-6666',
  credential: 'AKIAPRESIGNED-7777',
  cookie: 'SESSIONCOOKIE-8888',
};

describe('--record', () => {
  it('writes HAR 1.2 a HAR reader accepts, with every secret sent or answered redacted', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'imagegen-har-'));
    closers.push(async () => rmSync(folder, { recursive: true, force: true }));
    const presigned = `https://cdn.example.test/out/1.png?X-Amz-Credential=${SECRETS.credential}&X-Amz-Signature=${SECRETS.signature}&X-Amz-Expires=3600`;
    const vendor = await upstream(() => ({
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Set-Cookie': `session=${SECRETS.cookie}` },
      body: JSON.stringify({ id: '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b', status: 'done', created: 1778956800, usage: { image_count: 1 }, data: [{ url: presigned }] }),
    }));
    const proxy = await proxyTo(vendor.url, { record: folder });
    const body = { model: 'flux-kontext', prompt: 'a lighthouse at dusk', webhook_secret: SECRETS.webhookSecret, callbackUrl: `https://hooks.example.test/cb?token=${SECRETS.callbackToken}` };
    const answer = await fetch(`${proxy.base}/v1/images/jobs/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b?api_key=${SECRETS.queryKey}&verbose=1`, {
      method: 'GET',
      headers: { 'X-API-Key': SECRETS.apiKey, Authorization: `Bearer ${SECRETS.bearer}` },
    });
    // The caller still gets every byte, secrets included: only the recording is redacted.
    expect(await answer.text()).toContain(SECRETS.signature);
    await fetch(`${proxy.base}/v1/images/jobs`, { method: 'POST', headers: { 'X-API-Key': SECRETS.apiKey, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    const file = proxy.mock.recording!.file;
    const text = readFileSync(file, 'utf8');
    const har = JSON.parse(text) as { log: { version: string; entries: Array<{ request: { method: string; url: string; postData?: { text: string } }; response: { status: number; content: { text?: string } } }> } };
    // Resolves with the document when it is valid HAR; rejects with the schema errors otherwise.
    await expect(harValidator.har(har)).resolves.toEqual(har);
    expect(har.log.version).toBe('1.2');
    expect(har.log.entries.map((entry) => `${entry.request.method} ${entry.response.status}`)).toEqual(['GET 200', 'POST 200']);
    // What is not secret is kept: the evidence a spec fix needs.
    expect(har.log.entries[0]!.request.url).toBe(`${vendor.url}/api/backend/v1/images/jobs/6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b?api_key=REDACTED&verbose=1`);
    expect(har.log.entries[0]!.response.content.text).toContain('https://cdn.example.test/out/1.png?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&X-Amz-Expires=3600');
    expect(har.log.entries[1]!.request.postData!.text).toContain('a lighthouse at dusk');
    for (const [what, secret] of Object.entries(SECRETS)) expect(text, `${what} left in the HAR file`).not.toContain(secret);
  });
});
