// The vendor page is the acceptance test: its curl example runs unchanged against the mock (base URL
// and key aside), and the flow it documents (create, poll, fetch the presigned output) works with
// plain curl and with the typed client.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import type { Generation } from '@imagegen/luma-agents';
import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SystemClock, imageSize, loadConfig } from '../../../src/index.js';
import { curlExamples } from '../../doc-examples.js';
import { KEYS, PROMPT, startLuma } from './support.js';

const run = promisify(execFile);
const docsCopy = createRequire(import.meta.url).resolve('@imagegen/spec/luma-agents/source/luma-agents-generations-api.txt');
const DOCUMENTED_BASE = 'https://agents.lumalabs.ai/v1';

/** Runs a shell command with curl's status appended; returns the body and the status. */
async function curl(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ body: string; status: number }> {
  const { stdout } = await run('bash', ['-c', `${command} --silent --show-error --write-out '\\nHTTP_STATUS=%{http_code}'`], {
    cwd,
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  const match = /\nHTTP_STATUS=(\d+)$/.exec(stdout);
  return { body: match ? stdout.slice(0, match.index) : stdout, status: Number(match?.[1]) };
}

describe('the Luma Agents reference page, run against the mock', async () => {
  const docs = await readFile(docsCopy, 'utf8');
  const [example, ...others] = curlExamples(docs);
  /** The page's response example: the first JSON object after the curl command. */
  const documentedAnswer = JSON.parse(/\n(\{\n[\s\S]*?\n\})/.exec(docs.slice(docs.indexOf('curl ')))![1]!) as Record<string, unknown>;
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'luma-agents-docs-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('has one curl example, creating a generation from a prompt with the documented base URL', () => {
    expect(others).toEqual([]);
    expect(example).toContain(`curl ${DOCUMENTED_BASE}/generations`);
    expect(example).toContain('Bearer $LUMA_AGENTS_API_KEY');
    expect(example).toContain(PROMPT);
  });

  it.each([
    { name: 'with a dev key', config: {}, key: KEYS.dev },
    // A developer's own key, exported as the docs say, is accepted when the mock starts with it set.
    { name: 'with the key from LUMA_AGENTS_API_KEY at start-up', config: loadConfig(undefined, { LUMA_AGENTS_API_KEY: 'luma-api-4f9c2e' }), key: 'luma-api-4f9c2e' },
  ])('runs unchanged $name: 201 and a queued generation shaped like the documented answer', async ({ config, key }) => {
    const h = await startLuma({ ...config, apis: { ...config.apis, lumixai: false } });
    const { body, status } = await curl(example!.replaceAll(DOCUMENTED_BASE, h.lumaBase), { LUMA_AGENTS_API_KEY: key }, workDir);
    expect(status, body).toBe(201);
    const generation = JSON.parse(body) as Generation;
    expect(generation).toMatchObject({ state: 'queued', model: documentedAnswer.model, type: documentedAnswer.type });
    expect(generation.id).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing the page does not show; the page's example fills every optional field, the queued answer none.
    expect(Object.keys(documentedAnswer)).toEqual(expect.arrayContaining(Object.keys(generation)));
    expect((await h.poll(generation.id, key)).state).toBe('completed');
  });

  it('the documented flow with curl on real time: create, poll until completed, download the presigned output without the key', async () => {
    const h = await startLuma({ clock: new SystemClock(), timing: { queuedMs: 300, runningMs: 1200 } });
    const env = { LUMA_AGENTS_API_KEY: KEYS.dev };
    const created = await curl(example!.replace(PROMPT, 'A lighthouse at dusk').replaceAll(DOCUMENTED_BASE, h.lumaBase).replace("\"prompt\"", '"output_format": "jpeg", "aspect_ratio": "16:9", "prompt"'), env, workDir);
    expect(created.status, created.body).toBe(201);
    const { id, state } = JSON.parse(created.body) as Generation;

    const poll = `curl ${h.lumaBase}/generations/${id} -H "Authorization: Bearer $LUMA_AGENTS_API_KEY"`;
    const states: string[] = [state];
    let generation: Generation | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const polled = await curl(poll, env, workDir);
      expect(polled.status, polled.body).toBe(200);
      generation = JSON.parse(polled.body) as Generation;
      if (states.at(-1) !== generation.state) states.push(generation.state);
      if (generation.state === 'completed' || generation.state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Real time on a busy machine: a slow poll may miss the processing phase, never the order.
    expect([['queued', 'processing', 'completed'], ['queued', 'completed']]).toContainEqual(states);

    // The output URL carries its own signature: no Authorization header, no key in the environment.
    const file = join(workDir, 'output.jpg');
    const downloaded = await curl(`curl -o ${file} '${generation!.output![0]!.url}'`, { LUMA_AGENTS_API_KEY: '' }, workDir);
    expect(downloaded.status).toBe(200);
    expect(imageSize(await readFile(file))).toEqual({ format: 'jpeg', width: 2048, height: 1152 });
  });

  it('the documented flow with the typed client: generateAndDownload returns the image', async () => {
    const h = await startLuma({ timing: { queuedMs: 1000, runningMs: 3000 } });
    const luma = createLumaAgentsClient({ apiKey: KEYS.dev, baseUrl: h.lumaBase });
    const polled: string[] = [];
    const { generation, images } = await luma.generateAndDownload(
      { prompt: PROMPT, aspect_ratio: '9:16' },
      { wait: { intervalMs: 1000, sleep: async (ms) => h.clock.advance(ms), onStatus: (g) => polled.push(g.state) } },
    );
    expect(polled.filter((state, i) => state !== polled[i - 1])).toEqual(['queued', 'processing', 'completed']);
    expect(generation.state).toBe('completed');
    expect(images).toHaveLength(1);
    expect(images[0]!.contentType).toBe('image/png');
    expect(imageSize(images[0]!.bytes)).toEqual({ format: 'png', width: 1152, height: 2048 });
  });
});
