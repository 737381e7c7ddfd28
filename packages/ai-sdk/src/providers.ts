import type { ImageModelV3CallOptions, SharedV3Warning } from '@ai-sdk/provider';
import type { ImageJobClient, ImageRequest, RetryingFetchOptions } from '@imagegen/client-kit';
import { createLumaAgentsClient } from '@imagegen/luma-agents';
import { createLumenClient } from '@imagegen/lumen';
import { createLumixAIClient } from '@imagegen/lumixai';
import { createLumozAIClient } from '@imagegen/lumozai';
import { createUseapiLumaClient } from '@imagegen/useapi-luma';

import type { ImageProviderSettings, VendorImageAdapter } from './image-model.js';
import { ImagegenImageModel } from './image-model.js';

/** Settings of a provider: the client's (key, base URL, fetch, retries) and the model's. */
export interface ProviderSettings extends ImageProviderSettings {
  /** The key; `undefined` or empty fails the first call, naming the variable. Default: the vendor's environment variable. */
  apiKey?: string | undefined;
  /** The API's base URL, e.g. the mock's `http://127.0.0.1:4010/lumen`. Default: the vendor's documented one. */
  baseUrl?: string | undefined;
  /** The fetch the client sends with. Default: `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** The client's own retries of single requests (see each client). Default: the client's. */
  retry?: RetryingFetchOptions | false | undefined;
}

/** `lumen.image('gpt-image-2-low')`: an AI SDK image model of the vendor. */
export interface ImagegenProvider {
  image(modelId: string): ImagegenImageModel;
  imageModel(modelId: string): ImagegenImageModel;
}

type AnyJobs = ImageJobClient<Record<string, unknown>, unknown>;

interface VendorDefinition extends Omit<VendorImageAdapter, 'request'> {
  keyVariable: string;
  defaultBaseUrl: string;
  /** The settings the vendor has a field for. */
  supports: { size?: (size: string) => Record<string, unknown>; aspectRatio: boolean; seed?: string };
  client(settings: ProviderSettings & { apiKey: string | undefined; baseUrl: string }): { jobs: unknown };
}

function defineProvider(vendor: VendorDefinition): (settings?: ProviderSettings) => ImagegenProvider {
  return (settings = {}) => {
    let jobs: AnyJobs | undefined;
    // Built on first use, so importing a default provider never needs the key.
    const jobsOf = (): AnyJobs =>
      (jobs ??= vendor.client({
        ...settings,
        apiKey: 'apiKey' in settings ? settings.apiKey : process.env[vendor.keyVariable],
        baseUrl: settings.baseUrl ?? vendor.defaultBaseUrl,
      }).jobs as AnyJobs);
    const adapter: VendorImageAdapter = {
      vendor: vendor.vendor,
      maxImagesPerCall: vendor.maxImagesPerCall,
      request: (modelId, options) => requestOf(vendor, modelId, options),
    };
    const image = (modelId: string) => new ImagegenImageModel(modelId, jobsOf, adapter, settings);
    return { image, imageModel: image };
  };
}

function requestOf(
  vendor: VendorDefinition,
  modelId: string,
  options: ImageModelV3CallOptions,
): { request: ImageRequest<Record<string, unknown>>; warnings: SharedV3Warning[] } {
  const warnings: SharedV3Warning[] = [];
  const extra: Record<string, unknown> = {};
  if (options.size !== undefined) {
    if (vendor.supports.size) Object.assign(extra, vendor.supports.size(options.size));
    else warnings.push({ type: 'unsupported', feature: 'size', details: `${vendor.vendor} takes no pixel size; use aspectRatio` });
  }
  if (options.aspectRatio !== undefined && !vendor.supports.aspectRatio) {
    warnings.push({ type: 'unsupported', feature: 'aspectRatio', details: `${vendor.vendor} has no aspect ratio field for every model; pass the model's own in providerOptions.${vendor.vendor}` });
  }
  if (options.seed !== undefined) {
    if (vendor.supports.seed) extra[vendor.supports.seed] = options.seed;
    else warnings.push({ type: 'unsupported', feature: 'seed' });
  }
  if (options.files !== undefined && options.files.length > 0) warnings.push({ type: 'unsupported', feature: 'files', details: 'only text-to-image is offered' });
  if (options.mask !== undefined) warnings.push({ type: 'unsupported', feature: 'mask', details: 'only text-to-image is offered' });
  if (options.n > vendor.maxImagesPerCall || (vendor.vendor === 'useapi-luma' && options.n !== 4)) {
    warnings.push({ type: 'other', message: `${vendor.vendor} makes ${vendor.maxImagesPerCall} image(s) per job; all are returned` });
  }
  const own = options.providerOptions[vendor.vendor] ?? {};
  return {
    request: {
      prompt: options.prompt ?? '',
      model: modelId,
      ...(vendor.supports.aspectRatio && options.aspectRatio !== undefined ? { aspectRatio: options.aspectRatio } : {}),
      ...(vendor.vendor === 'lumen' ? { n: options.n } : {}),
      extra: { ...extra, ...own },
    },
    warnings,
  };
}

/** LumixAI (`X-API-Key`, `LUMIXAI_API_KEY`); repeats are safe: submissions carry an Idempotency-Key. */
export const createLumixAI = defineProvider({
  vendor: 'lumixai',
  keyVariable: 'LUMIXAI_API_KEY',
  // The documentation's own base path; point baseUrl at your deployment or the mock.
  defaultBaseUrl: 'https://lumixai.com/api/backend',
  maxImagesPerCall: 1,
  supports: { aspectRatio: true, seed: 'seed' },
  client: (settings) => createLumixAIClient(settings),
});

/** Lumen (`LUMEN_API_KEY`): `n` up to 4 per task; `size` as pixels or a ratio. */
export const createLumen = defineProvider({
  vendor: 'lumen',
  keyVariable: 'LUMEN_API_KEY',
  defaultBaseUrl: 'https://lumen.mengfanlab.top',
  maxImagesPerCall: 4,
  supports: { aspectRatio: true, size: (size) => ({ size }) },
  client: (settings) => createLumenClient(settings),
});

/** Luma Agents (`LUMA_AGENTS_API_KEY`): `uni-1` and `uni-1-max`. */
export const createLumaAgents = defineProvider({
  vendor: 'luma-agents',
  keyVariable: 'LUMA_AGENTS_API_KEY',
  defaultBaseUrl: 'https://agents.lumalabs.ai/v1',
  maxImagesPerCall: 1,
  supports: { aspectRatio: true },
  client: (settings) => createLumaAgentsClient(settings),
});

/** useapi.net Luma (`USEAPI_TOKEN`): every job is a batch of four images, all returned. */
export const createUseapiLuma = defineProvider({
  vendor: 'useapi-luma',
  keyVariable: 'USEAPI_TOKEN',
  defaultBaseUrl: 'https://api.useapi.net/v1/luma',
  maxImagesPerCall: 4,
  supports: { aspectRatio: true },
  client: ({ apiKey, ...settings }) => createUseapiLumaClient({ ...settings, token: apiKey }),
});

/** LumozAI (`LUMOZAI_API_KEY`): model parameters go in `providerOptions.lumozai`. */
export const createLumozAI = defineProvider({
  vendor: 'lumozai',
  keyVariable: 'LUMOZAI_API_KEY',
  defaultBaseUrl: 'https://lumozai.com/api/v4',
  maxImagesPerCall: 1,
  supports: { aspectRatio: false },
  client: (settings) => createLumozAIClient(settings),
});
