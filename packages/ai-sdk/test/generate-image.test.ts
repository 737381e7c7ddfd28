// The AI SDK's own generateImage, against each vendor's provider on the in-process mock: a
// generated image, and retries that never pay twice. Under `Prefer: fault=drop-after-commit` the
// first submission creates (and bills) a job whose answer is lost: where the vendor honours an
// idempotency key the retry gets that same job; elsewhere the call refuses to submit blindly. A
// failure after the job exists is retried by resuming it, never by submitting again.
import { APICallError } from '@ai-sdk/provider';
import { API_SLUGS } from '@imagegen/mock-server';
import { generateImage } from 'ai';
import { describe, expect, it } from 'vitest';

import type { ImagegenProviderFactory, ProviderSettings } from '../src/index.js';
import { PROVIDERS, createLumen } from '../src/index.js';
import { JOB_TIMING, advancing, ledger, useMock } from './support.js';
import type { Vendor } from './vendors.js';
import { VENDORS, prefer } from './vendors.js';

const harness = useMock();

/** Records every request the provider's client sends, and lets a test tamper with one. */
function recordingFetch(tamper: (request: Request, seen: Request[]) => Request | Error = (request) => request) {
  const seen: Request[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const outgoing = tamper(request, seen);
    seen.push(request);
    if (outgoing instanceof Error) throw outgoing;
    return fetch(outgoing);
  };
  return { fetch: fetchImpl, seen };
}

const isSubmission = (request: Request) => request.method === 'POST' && !request.url.endsWith('/check');
const isPoll = (request: Request) => !isSubmission(request);

function provider(vendor: Vendor, settings: ProviderSettings = {}) {
  const create = (PROVIDERS as Partial<Record<string, ImagegenProviderFactory>>)[vendor.slug];
  if (!create) throw new Error(`the mock serves ${vendor.slug} but @imagegen/ai-sdk has no provider for it: add packages/ai-sdk/src/providers/${vendor.slug}.ts and run \`pnpm generate\``);
  return create({
    baseUrl: harness.baseUrl(vendor.slug),
    apiKey: vendor.key,
    wait: { intervalMs: 1, sleep: advancing(harness.clock) },
    ...settings,
  });
}

describe.each(VENDORS)('$slug: generateImage from the AI SDK', (vendor) => {
  const headers = prefer(vendor.basePrefer);

  it('generates and returns the images, with the job handle in providerMetadata', async () => {
    const { images, providerMetadata, warnings } = await generateImage({
      model: provider(vendor).image(vendor.model),
      prompt: 'a lighthouse at dusk',
      headers,
    });

    expect(images).toHaveLength(vendor.imagesPerJob);
    expect(images[0]?.mediaType).toMatch(/^image\/(png|jpeg)$/);
    expect(images[0]?.uint8Array.byteLength).toBeGreaterThan(100);
    const metadata = providerMetadata[vendor.slug] as { images: Array<{ handle: string; width: number }> };
    expect(metadata.images).toHaveLength(vendor.imagesPerJob);
    expect(metadata.images[0]?.handle).toMatch(new RegExp(`^imagegen-job:${vendor.slug}:`));
    expect(metadata.images[0]?.width).toBeGreaterThan(0);
    expect(warnings.filter((warning) => warning.type === 'unsupported')).toEqual([]);
    expect(ledger(harness, vendor.slug).jobs).toBe(vendor.jobsPerSubmission);
  });

  it('a retried call under Prefer: fault=drop-after-commit never pays for a second job', async () => {
    // Only the first submission is dropped after the mock committed it; a second would succeed.
    const recorder = recordingFetch((request, seen) => {
      if (isSubmission(request) && !seen.some(isSubmission)) {
        const dropped = new Request(request);
        dropped.headers.set('Prefer', [request.headers.get('Prefer'), 'fault=drop-after-commit'].filter(Boolean).join(', '));
        return dropped;
      }
      return request;
    });
    const call = generateImage({
      // The client's own retries are off: the AI SDK's retry is the one under test.
      model: provider(vendor, { fetch: recorder.fetch, retry: false }).image(vendor.model),
      prompt: 'a lighthouse at dusk',
      headers,
    });

    if (vendor.idempotentSubmissions === true) {
      const { images } = await call;
      expect(images).toHaveLength(vendor.imagesPerJob);
      // Two submissions with one Idempotency-Key: the vendor answered the second with the first job.
      const submissions = recorder.seen.filter(isSubmission);
      expect(submissions).toHaveLength(2);
      expect(new Set(submissions.map((request) => request.headers.get('idempotency-key'))).size).toBe(1);
      const state = harness.mock.state(vendor.slug);
      expect(state.jobs).toHaveLength(1);
      expect(state.jobs.filter((job) => job.charged > 0)).toHaveLength(1);
    } else {
      const error = await call.then(
        () => expect.fail('a submission that may have created a job was repeated or ignored'),
        (reason: unknown) => reason,
      );
      expect(APICallError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ isRetryable: false, data: { kind: 'network', mayHaveTakenEffect: true } });
      expect((error as Error).message).toMatch(/not submitted again blindly/);
      expect(recorder.seen.filter(isSubmission)).toHaveLength(1);
      // The one job the lost answer was about, and no other.
      expect(ledger(harness, vendor.slug).jobs).toBe(vendor.jobsPerSubmission);
    }
  });

  it('a failure after the job exists is retried by resuming it, not by submitting again', async () => {
    // The first poll is lost on the network (the job finishes meanwhile); the retry polls the same job.
    const recorder = recordingFetch((request, seen) => {
      if (isPoll(request) && !seen.some(isPoll)) {
        harness.clock.advance(JOB_TIMING.queuedMs + JOB_TIMING.runningMs);
        return new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
      }
      return request;
    });
    const { images, providerMetadata } = await generateImage({
      model: provider(vendor, { fetch: recorder.fetch, retry: false }).image(vendor.model),
      prompt: 'a lighthouse at dusk',
      headers,
    });

    expect(images).toHaveLength(vendor.imagesPerJob);
    expect(recorder.seen.filter(isSubmission)).toHaveLength(1);
    expect(ledger(harness, vendor.slug).jobs).toBe(vendor.jobsPerSubmission);
    expect((providerMetadata[vendor.slug] as { images: Array<{ handle: string }> }).images[0]?.handle).toMatch(/^imagegen-job:/);
  });

  it('a refused request is not retried: the error says which kind it was', async () => {
    const error = await generateImage({
      model: provider(vendor).image(vendor.model),
      prompt: 'a lighthouse at dusk',
      headers: prefer(vendor.basePrefer, 'code=401'),
    }).then(
      () => expect.fail('a 401 was answered with images'),
      (reason: unknown) => reason,
    );

    expect(error).toMatchObject({ isRetryable: false, statusCode: 401, data: { kind: 'authentication', vendor: vendor.slug } });
  });
});

describe('the providers without a key', () => {
  it('fail the first call naming the variable, not at import', async () => {
    const lumen = createLumen({ apiKey: undefined, baseUrl: 'http://127.0.0.1:9' });
    await expect(generateImage({ model: lumen.image('gpt-image-2-low'), prompt: 'x', maxRetries: 0 })).rejects.toThrow(/LUMEN_API_KEY/);
  });
});

describe('PROVIDERS (generated from src/providers/<slug>.ts)', () => {
  it('has one provider per API the mock serves, each under its own slug', () => {
    expect(Object.keys(PROVIDERS).sort()).toEqual([...API_SLUGS].sort());
    for (const [slug, create] of Object.entries(PROVIDERS)) {
      expect(create.vendor, slug).toBe(slug);
      expect(create().image(create.exampleModel).provider, slug).toBe(`${slug}.image`);
    }
  });
});
