import type { ImageModelV3CallOptions, SharedV3Warning } from '@ai-sdk/provider';
import type { ImageJobClient, ImageRequest, RetryingFetchOptions } from '@imagegen/client-kit';

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

/**
 * One vendor's provider, as its own file states it (`src/providers/<slug>.ts`): what the AI SDK's
 * settings become in its common request, and how its client is built.
 */
export interface VendorDefinition extends Omit<VendorImageAdapter, 'request'> {
  /** The environment variable the key is read from when `apiKey` is not given. */
  keyVariable: string;
  /** The vendor's documented base URL, used when `baseUrl` is not given. */
  defaultBaseUrl: string;
  /** A model id the vendor documents: the one examples and the conformance adapter use. */
  exampleModel: string;
  /**
   * The settings the vendor has a field for: `size` as the fields it becomes, `aspectRatio` when
   * every model takes one, `seed` as the field's name, `n` when the request carries the count.
   * A setting without a field is reported in `warnings`. Default of each: none.
   */
  supports: { size?: (size: string) => Record<string, unknown>; aspectRatio: boolean; seed?: string; n?: boolean };
  /** Every job makes exactly `maxImagesPerCall` images (useapi.net's batch of four): another `n` is warned about. Default: `false`. */
  fixedImagesPerCall?: boolean;
  client(settings: ProviderSettings & { apiKey: string | undefined; baseUrl: string }): { jobs: unknown };
}

/** A provider factory (`createLumen`...), carrying its vendor's slug and a model it documents. */
export type ImagegenProviderFactory = ((settings?: ProviderSettings) => ImagegenProvider) & {
  /** The vendor's slug, also the `providerOptions` key. */
  readonly vendor: string;
  /** A model id the vendor documents. */
  readonly exampleModel: string;
};

/** The provider factory of one vendor: what `src/providers/<slug>.ts` exports. */
export function defineProvider(vendor: VendorDefinition): ImagegenProviderFactory {
  const create = (settings: ProviderSettings = {}): ImagegenProvider => {
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
  return Object.assign(create, { vendor: vendor.vendor, exampleModel: vendor.exampleModel });
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
  if (options.n > vendor.maxImagesPerCall || (vendor.fixedImagesPerCall === true && options.n !== vendor.maxImagesPerCall)) {
    warnings.push({ type: 'other', message: `${vendor.vendor} makes ${vendor.maxImagesPerCall} image(s) per job; all are returned` });
  }
  const own = options.providerOptions[vendor.vendor] ?? {};
  return {
    request: {
      prompt: options.prompt ?? '',
      model: modelId,
      ...(vendor.supports.aspectRatio && options.aspectRatio !== undefined ? { aspectRatio: options.aspectRatio } : {}),
      ...(vendor.supports.n === true ? { n: options.n } : {}),
      extra: { ...extra, ...own },
    },
    warnings,
  };
}
