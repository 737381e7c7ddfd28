export { createLumaAgents, createLumen, createLumixAI, createLumozAI, createUseapiLuma } from './providers.js';
export type { ImagegenProvider, ProviderSettings } from './providers.js';
export { ImagegenImageModel } from './image-model.js';
export type { ImageProviderSettings, VendorImageAdapter } from './image-model.js';
