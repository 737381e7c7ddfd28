// The providers, one file per vendor (src/providers/<slug>.ts), exported through the index
// `pnpm generate` writes from that folder: createLumixAI, createLumen... and PROVIDERS by slug.
export * from './generated/providers.js';
export { defineProvider } from './define-provider.js';
export type { ImagegenProvider, ImagegenProviderFactory, ProviderSettings, VendorDefinition } from './define-provider.js';
export { ImagegenImageModel } from './image-model.js';
export type { ImageProviderSettings, VendorImageAdapter } from './image-model.js';
