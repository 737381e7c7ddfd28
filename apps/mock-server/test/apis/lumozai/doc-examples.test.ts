// The LumozAI page's own examples, run against the mock with only the base URL and the key changed:
// its three curl commands as written, and its PHP example's POSTFIELDS array sent the way PHP's
// curl extension sends it (multipart/form-data), both by the curl binary (the same libcurl) and
// rebuilt byte for byte.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { imageSize } from '../../../src/index.js';
import { curlExamples } from '../../doc-examples.js';
import type { LumozHarness } from './harness.js';
import { LUMOZ_KEY, startLumozAI } from './harness.js';

const run = promisify(execFile);
const docsCopy = createRequire(import.meta.url).resolve('@imagegen/spec/lumozai/source/lumozai-api-v4.txt');
const docs = await readFile(docsCopy, 'utf8');
const DOCUMENTED_BASE = 'https://lumozai.com/api/v4';
const DOCUMENTED_KEY = 'YOUR_API_KEY';
const DOCUMENTED_REQUEST_ID = '212121212121212';

const examples = curlExamples(docs);
const runExamples = examples.filter((command) => command.includes(`${DOCUMENTED_BASE}/run`));
const checkExample = examples.find((command) => command.includes(`${DOCUMENTED_BASE}/check`))!;

/** Runs one documented curl command with the mock's base URL and a dev key; its status and JSON. */
async function curl(h: LumozHarness, command: string, replace: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  let runnable = command.replaceAll(DOCUMENTED_BASE, h.api).replaceAll(DOCUMENTED_KEY, LUMOZ_KEY);
  for (const [from, to] of Object.entries(replace)) runnable = runnable.replaceAll(from, to);
  const { stdout } = await run('bash', ['-c', `${runnable} --silent --show-error --write-out '\\nHTTP_STATUS=%{http_code}'`]);
  const status = Number(/\nHTTP_STATUS=(\d+)$/.exec(stdout)?.[1]);
  return { status, body: JSON.parse(stdout.replace(/\nHTTP_STATUS=\d+$/, '')) as Record<string, unknown> };
}

/** The PHP example's URL, POSTFIELDS array and HTTPHEADER list, as PHP would evaluate them. */
function phpExample(apiKey: string): { url: string; fields: Array<[string, string]>; headers: string[] } {
  const start = docs.indexOf('PHP Example');
  const php = docs.slice(start, docs.indexOf('json_decode(', start));
  const keyLiteral = /\$apiKey = '([^']*)';/.exec(php)?.[1];
  const url = /CURLOPT_URL => '([^']+)'/.exec(php)?.[1];
  const postFields = /CURLOPT_POSTFIELDS => \[([\s\S]*?)\]/.exec(php)?.[1];
  const headerList = /CURLOPT_HTTPHEADER => \[([\s\S]*?)\n\s*\]/.exec(php)?.[1];
  if (keyLiteral !== DOCUMENTED_KEY || !url || !postFields || !headerList) throw new Error('PHP example not found in the docs copy');
  const fields = [...postFields.matchAll(/'([^']+)' => '([^']*)'/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  // `'Authorization: Bearer ' . $apiKey` is the literal joined with the key.
  const headers = [...headerList.matchAll(/'([^']*)'(\s*\.\s*\$apiKey)?/g)].map((m) => m[1]! + (m[2] ? apiKey : ''));
  return { url, fields, headers };
}

describe('the LumozAI documentation examples run unchanged against the mock (base URL and key aside)', () => {
  it('finds the documented examples: two runs and a check in curl, and the PHP form', () => {
    expect(runExamples).toHaveLength(2);
    expect(runExamples.some((command) => command.includes('num_inference_steps=30'))).toBe(true);
    expect(checkExample).toContain(`request_id=${DOCUMENTED_REQUEST_ID}`);
    expect(phpExample(LUMOZ_KEY).fields).toEqual([
      ['model_id', 'hidream-l1'],
      ['prompt', 'A beautiful sunset over mountains'],
    ]);
  });

  describe.each(runExamples.map((command) => [command.includes('guidance_scale') ? 'run with the hidream-l1 parameters' : 'run (authentication example)', command]))('curl: %s', (_name, command) => {
    it('answers completed with a JPEG output when the model finishes in time (the documented success response)', async () => {
      const h = await startLumozAI();
      const answer = await curl(h, command);
      expect(answer).toEqual({ status: 200, body: { success: true, data: { request_id: expect.any(Number), output: expect.stringMatching(/\/lumozai\/storage\/outputs\/image_\d{15}\.jpg$/), output_type: 'image' } } });
      const output = (answer.body.data as { output: string }).output;
      expect(imageSize(Buffer.from(await (await fetch(output)).arrayBuffer()))).toMatchObject({ format: 'jpeg' });
    });

    it('answers the request_id alone when the model needs significant processing time, then the check example follows it to completion', async () => {
      const h = await startLumozAI({ timing: { queuedMs: 1000, runningMs: 11_000 } });
      const answer = await curl(h, command);
      expect(answer.status).toBe(200);
      const data = answer.body.data as { request_id: number };
      expect(Object.keys(data)).toEqual(['request_id']);
      // The check example, with the id of this run in place of the documented one.
      const ownId = { [DOCUMENTED_REQUEST_ID]: String(data.request_id) };
      h.clock.advance(6_500);
      expect(await curl(h, checkExample, ownId)).toEqual({ status: 200, body: { success: true, data: { request_id: data.request_id, status: 'processing', progress: 50 } } });
      h.clock.advance(5_500);
      expect(await curl(h, checkExample, ownId)).toMatchObject({ status: 200, body: { success: true, data: { request_id: data.request_id, status: 'completed', output_type: 'image' } } });
    });
  });

  it('curl: the check example as written names no run of this key: the documented 422 for an unknown id', async () => {
    const h = await startLumozAI();
    expect(await curl(h, checkExample)).toEqual({
      status: 422,
      body: { success: false, error: { code: 'validation_error', message: 'The selected request_id is invalid.', details: { request_id: ['The selected request_id is invalid.'] } } },
    });
  });

  describe('PHP: CURLOPT_POSTFIELDS as an array, which curl sends as multipart/form-data', () => {
    it('sent by the curl binary, the libcurl PHP uses (--form-string per array entry, the HTTPHEADER lines as -H)', async () => {
      const h = await startLumozAI();
      const { url, fields, headers } = phpExample(LUMOZ_KEY);
      const args = [url.replace(DOCUMENTED_BASE, h.api), '--silent', '--show-error', '--trace-ascii', '/dev/stderr', ...headers.flatMap((header) => ['-H', header]), ...fields.flatMap(([name, value]) => ['--form-string', `${name}=${value}`])];
      const { stdout, stderr: trace } = await run('curl', args);
      // What went out: POST, multipart with a boundary, the documented headers.
      expect(trace).toMatch(/POST \/lumozai\/api\/v4\/run HTTP\/1\.1/);
      // The trace wraps lines at 64 bytes, inside the boundary.
      expect(trace).toMatch(/Content-Type: multipart\/form-data; boundary=-/);
      expect(trace).toMatch(/Content-Disposition: form-data; name="prompt"/);
      expect(trace).toMatch(/Authorization: Bearer lmz_mock_dev/);
      // $result = json_decode($response, true);
      expect(JSON.parse(stdout)).toEqual({ success: true, data: { request_id: expect.any(Number), output: expect.any(String), output_type: 'image' } });
    });

    it('rebuilt byte for byte as libcurl writes it (CRLF parts, its boundary style, Expect: 100-continue as older libcurl sends)', async () => {
      const h = await startLumozAI();
      const { url, fields, headers } = phpExample(LUMOZ_KEY);
      const boundary = `------------------------${randomBytes(8).toString('hex')}`;
      const body = Buffer.from(
        fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${boundary}--\r\n`,
      );
      const target = new URL(url.replace(DOCUMENTED_BASE, h.api));
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = httpRequest(target, {
          method: 'POST',
          headers: {
            ...Object.fromEntries(headers.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()])),
            'Content-Type': `multipart/form-data; boundary=${boundary}`,
            'Content-Length': String(body.length),
            Expect: '100-continue',
          },
        });
        request.on('continue', () => request.end(body));
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        });
        request.on('error', reject);
        request.flushHeaders();
      });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ success: true, data: { request_id: expect.any(Number), output_type: 'image' } });
    });
  });
});
