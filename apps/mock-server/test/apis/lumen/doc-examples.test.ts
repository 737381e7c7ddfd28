import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { verifyLumenWebhook } from '@imagegen/lumen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { curlExamples } from '../../doc-examples.js';
import { GENERATION, KEYS, hookReceiver, startLumen } from './support.js';

const run = promisify(execFile);
const docs = await readFile(createRequire(import.meta.url).resolve('@imagegen/spec/lumen/source/lumen-image-api.txt'), 'utf8');
const DOCUMENTED_BASE = 'https://lumen.mengfanlab.top';
const DOCUMENTED_KEY = 'sk-lumen-•••';
/** The page's placeholder for the id step 1 answered; like the key, the reader fills it in. */
const DOCUMENTED_ID = 'a1b2c3...';
const DOCUMENTED_WEBHOOK = 'https://your.app/callback';

/**
 * The page's Python `verify()`, from its comment to its return statement. The text copy lost the
 * page's indentation (the function body is flush left), so the lines after `def` get their four
 * spaces back; nothing else is touched.
 */
function pythonVerify(text: string): string {
  const start = text.indexOf('# Python:');
  const endMarker = 'return hmac.compare_digest(expected, signature_header)';
  const end = text.indexOf(endMarker, start);
  if (start === -1 || end === -1) throw new Error('the Python verify example is not in the docs copy');
  const lines = text.slice(start, end + endMarker.length).split('\n');
  const def = lines.findIndex((line) => line.startsWith('def verify('));
  return lines.map((line, i) => (i > def ? `    ${line}` : line)).join('\n');
}

describe('the Lumen page examples run unchanged against the mock (base URL, key and placeholders aside)', () => {
  const examples = curlExamples(docs);
  const submissions = examples.filter((command) => /^-d '/m.test(command));
  let workDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lumen-docs-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  /** Runs one example with curl; its HTTP status and JSON answer. */
  async function curl(command: string, replacements: Array<[string, string]>): Promise<{ status: number; body: Record<string, unknown> }> {
    const runnable = replacements.reduce((text, [from, to]) => text.replaceAll(from, to), command);
    const { stdout } = await run('bash', ['-c', `${runnable} --silent --show-error --write-out '\\nHTTP_STATUS=%{http_code}'`], { cwd: workDir });
    const status = Number(/\nHTTP_STATUS=(\d+)$/.exec(stdout)?.[1]);
    return { status, body: JSON.parse(stdout.slice(0, stdout.lastIndexOf('\nHTTP_STATUS='))) as Record<string, unknown> };
  }

  it('finds the five documented curl commands and the Python verify()', () => {
    expect(examples).toHaveLength(5);
    expect(examples.map((command) => /^curl (\S+)/.exec(command)?.[1])).toEqual([
      `${DOCUMENTED_BASE}/v1/images/generations`,
      `${DOCUMENTED_BASE}/v1/images/generations/${DOCUMENTED_ID}`,
      `${DOCUMENTED_BASE}/v1/images/edits`,
      `${DOCUMENTED_BASE}/v1/images/inpaint`,
      `${DOCUMENTED_BASE}/v1/images/generations`,
    ]);
    expect(submissions).toHaveLength(4);
    expect(pythonVerify(docs)).toMatch(/^# Python:.*\nimport hmac, hashlib\ndef verify\(raw_body: bytes, signature_header: str, secret: str\) -> bool:\n {4}expected = /);
  });

  it.each(submissions.map((command) => [/^curl \S+\/(v1\/\S+)/.exec(command)![1]!, /"prompt": "([^"]+)"/.exec(command)![1]!, command]))(
    'POST %s (%s): answers { id, status: queued, created } at once, and the task succeeds',
    async (_path, _prompt, command) => {
      const h = await startLumen({ webhooks: { resolver: async () => [{ address: '203.0.113.7', family: 4 }] } });
      const { status, body } = await curl(command, [
        [DOCUMENTED_BASE, h.lumenBase],
        [DOCUMENTED_KEY, KEYS.dev],
      ]);
      expect(status).toBe(200);
      // "{ "id": "a1b2c3...", "status": "queued", "created": 1700000000 }"
      expect(Object.keys(body)).toEqual(['id', 'status', 'created']);
      expect(body).toMatchObject({ id: expect.any(String), status: 'queued', created: expect.any(Number) });
      h.clock.advance(60_000);
      expect((await h.task(body.id as string)).status).toBe('succeeded');
      if (command.includes(DOCUMENTED_WEBHOOK)) {
        // your.app is not a receiver here: the callback is recorded as refused, never sent.
        const delivery = await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
        expect(delivery).toMatchObject({ url: DOCUMENTED_WEBHOOK, status: 'refused', attempts: [] });
      }
    },
  );

  it.each([
    { outcome: 'processing', advance: 2_000, expected: { status: 'processing' } },
    { outcome: 'succeeded', advance: 60_000, expected: { status: 'succeeded', data: [{ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/lumen\/images\/[0-9a-f]{32}\/0\.png$/) }] } },
    { outcome: 'failed', advance: 60_000, prefer: 'job-status=failed', expected: { status: 'failed', error: { code: expect.any(String), message: expect.any(String) } } },
  ])('GET /v1/images/generations/{id}: the page\'s "$outcome" answer', async ({ advance, prefer, expected }) => {
    const h = await startLumen();
    const id = await h.submit(GENERATION, { headers: prefer ? { Prefer: prefer } : {} });
    h.clock.advance(advance);
    const command = examples.find((example) => example.includes(DOCUMENTED_ID))!;
    const { status, body } = await curl(command, [
      [DOCUMENTED_BASE, h.lumenBase],
      [DOCUMENTED_KEY, KEYS.dev],
      [DOCUMENTED_ID, id],
    ]);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id, ...expected });
  });

  it("the webhook example, delivered to a receiver on 127.0.0.1:0: the page's Python verify() and verifyLumenWebhook accept it", async () => {
    const receiver = await hookReceiver(200);
    const h = await startLumen({ timing: 'instant' });
    const command = examples.find((example) => example.includes(DOCUMENTED_WEBHOOK))!;
    const { status, body } = await curl(command, [
      [DOCUMENTED_BASE, h.lumenBase],
      [DOCUMENTED_KEY, KEYS.dev],
      [DOCUMENTED_WEBHOOK, receiver.url],
    ]);
    expect(status).toBe(200);
    await h.mock.webhooks.waitFor((d) => d.api === 'lumen');
    const [hit] = receiver.hits;
    // "What you will receive": the headers and body the page shows.
    expect(hit!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-lumen-signature': expect.stringMatching(/^sha256=[0-9a-f]{64}$/),
      'x-lumen-timestamp': expect.stringMatching(/^\d{10}$/),
    });
    expect(JSON.parse(hit!.body.toString('utf8'))).toMatchObject({ id: body.id, status: 'succeeded', data: [{ url: expect.any(String) }] });

    const script = join(workDir, 'verify.py');
    await writeFile(script, `${pythonVerify(docs)}\n\nimport sys\nprint(verify(open(sys.argv[1], 'rb').read(), sys.argv[2], sys.argv[3]))\n`);
    const verify = async (raw: Buffer, signature: string, secret: string) => {
      const file = join(workDir, 'body.bin');
      await writeFile(file, raw);
      return (await run('python3', [script, file, signature, secret])).stdout.trim();
    };
    const signature = hit!.headers['x-lumen-signature'] as string;
    expect(await verify(hit!.body, signature, 'your-secret')).toBe('True');
    // The same function refuses what it must: another secret, a changed byte, re-serialized JSON.
    expect(await verify(hit!.body, signature, 'another-secret')).toBe('False');
    expect(await verify(Buffer.from(hit!.body.toString('utf8').replace('succeeded', 'succeedeD')), signature, 'your-secret')).toBe('False');
    expect(await verify(Buffer.from(JSON.stringify(JSON.parse(hit!.body.toString('utf8')), null, 1)), signature, 'your-secret')).toBe('False');

    expect(verifyLumenWebhook(hit!.body, hit!.headers, 'your-secret', { now: () => h.clock.now() })).toMatchObject({ id: body.id, status: 'succeeded' });
  });
});
