// The typed client (@imagegen/lumen) against the Lumen mock: the whole flow, failures, and the
// rule that a task submission is sent once, never retried (Lumen documents no idempotency key).
import { LumenError, LumenTaskFailedError, createLumenClient } from '@imagegen/lumen';
import type { GenerationRequest, LumenClient } from '@imagegen/lumen';
import { describe, expect, it } from 'vitest';

import { imageSize } from '../../../src/index.js';
import { GENERATION, INPAINT, KEYS, TIMING, startLumen } from './support.js';

/** Request lines the mock logged, e.g. `POST /lumen/v1/images/generations`. */
function requestLog() {
  const lines: string[] = [];
  const count = (method: string, path: RegExp) => lines.filter((line) => line.startsWith(`${method} `) && path.test(line.split(' ')[1]!)).length;
  return { log: (line: string) => lines.push(line), count };
}

/**
 * A fetch that delivers each request, but loses the answer of the first `lose` requests of each
 * method (the connection drops after the server acted): what a flaky network does to a client.
 */
function losingAnswers(lose: number, headers: Record<string, string> = {}) {
  const lost: Record<string, Array<{ status: number; body: string }>> = {};
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
    const response = await fetch(request);
    const seen = (lost[request.method] ??= []);
    if (seen.length >= lose) return response;
    seen.push({ status: response.status, body: await response.text() });
    throw new TypeError('fetch failed: the connection was reset before the answer arrived');
  };
  return { fetch: fetchImpl, lost };
}

async function clientFor(options: Parameters<typeof startLumen>[0] = {}, key: string = KEYS.dev, fetchImpl?: typeof fetch) {
  const requests = requestLog();
  const h = await startLumen({ log: requests.log, ...options });
  const client: LumenClient = createLumenClient({ apiKey: key, baseUrl: h.lumenBase, fetch: fetchImpl, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  const wait = { intervalMs: 1000, sleep: async () => void h.clock.advance(1000) };
  return { h, client, requests, wait };
}

describe('@imagegen/lumen against the mock', () => {
  it('generateAndDownload: submit, poll through queued and processing on mock time, download all n PNGs', async () => {
    const { client, wait } = await clientFor();
    const statuses: string[] = [];
    const { task, images } = await client.generateAndDownload(
      { ...GENERATION, n: 2, size: '16:9', resolution: '2K' },
      { wait: { ...wait, onStatus: (polled) => statuses.push(polled.status) } },
    );
    expect(task.status).toBe('succeeded');
    expect([...new Set(statuses)]).toEqual(['queued', 'processing', 'succeeded']);
    expect(images.map((image) => ({ type: image.contentType, ...imageSize(image.bytes) }))).toEqual([
      { type: 'image/png', format: 'png', width: 2048, height: 1152 },
      { type: 'image/png', format: 'png', width: 2048, height: 1152 },
    ]);
  });

  it.each<[string, Pick<GenerationRequest, 'image_urls' | 'image'>]>([
    ['image_urls', { image_urls: ['https://your.img/cat.png', 'https://your.img/dog.png'] }],
    ['image', { image: 'https://your.img/cat.png' }],
  ])('the text-to-image endpoint takes the field table\'s %s and the task succeeds', async (_field, images) => {
    const { client, wait } = await clientFor();
    const created = await client.createGenerationTask({ ...GENERATION, ...images });
    expect(created.status).toBe('queued');
    const task = await client.waitForTask(created.id, wait);
    expect(task.data).toHaveLength(1);
  });

  it('inpaintAndDownload of a failed task throws LumenTaskFailedError with the task error', async () => {
    const { h, client, wait } = await clientFor({}, KEYS.dev, losingAnswers(0, { Prefer: 'job-status=failed, job-error-code=upstream_error' }).fetch);
    const failure = await client.inpaintAndDownload(INPAINT, { wait }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LumenTaskFailedError);
    expect(failure).toMatchObject({ taskStatus: 'failed', code: 'upstream_error' });
    expect(h.mock.violations).toEqual([]);
  });

  it.each([
    { key: KEYS.basic, body: INPAINT, status: 404, code: 'model_not_found' },
    { key: KEYS.revoked, body: INPAINT, status: 401, code: 'revoked_api_key' },
    { key: KEYS.noCredits, body: INPAINT, status: 402, code: 'insufficient_credits' },
    { key: KEYS.dev, body: { ...INPAINT, model: 'gpt-image-2-low' }, status: 400, code: 'model_cannot_inpaint' },
  ])('a refused submission is a LumenError $status $code', async ({ key, body, status, code }) => {
    const { client } = await clientFor({}, key);
    await expect(client.createInpaintTask(body)).rejects.toMatchObject({ name: 'LumenError', status, code });
  });
});

describe('a submission is never retried: a repeat could bill a second task', () => {
  it('an answer lost on the way back: one POST reached the mock, one task billed, and the client says so', async () => {
    const network = losingAnswers(1);
    const { h, client, requests } = await clientFor({}, KEYS.credits100, network.fetch);
    await expect(client.createGenerationTask({ ...GENERATION, n: 4 })).rejects.toThrow(/connection was reset/);
    expect(requests.count('POST', /\/lumen\/v1\/images\/generations$/)).toBe(1);

    // The retrying fetch is active: the same loss on a poll is retried and answered.
    const { id } = JSON.parse(network.lost.POST![0]!.body) as { id: string };
    h.clock.advance(TIMING.queuedMs + TIMING.runningMs);
    expect((await client.getTask(id)).status).toBe('succeeded');
    expect(requests.count('GET', /\/generations\/[0-9a-f]{32}$/)).toBe(2);

    // 100 credits - 16: another 21 single 4-credit images fit, not 20 (a second billed task).
    let accepted = 0;
    while (accepted < 30) {
      const outcome = await client.createGenerationTask(GENERATION).catch((error: unknown) => error);
      if (outcome instanceof LumenError) {
        expect(outcome).toMatchObject({ status: 402, code: 'insufficient_credits' });
        break;
      }
      accepted++;
    }
    expect(accepted).toBe(21);
  });

  it.each([429, 502])('a %i on submission is thrown after exactly one request', async (status) => {
    const { client, requests } = await clientFor({}, KEYS.dev, losingAnswers(0, { Prefer: `code=${status}` }).fetch);
    const failure = await client.createEditTask({ model: GENERATION.model, prompt: 'x', image: 'https://your.img/cat.png' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LumenError);
    expect(failure).toMatchObject({ status, code: status === 429 ? 'upstream_rate_limited' : 'upstream_error' });
    expect(requests.count('POST', /\/lumen\/v1\/images\/edits$/)).toBe(1);
  });
});
