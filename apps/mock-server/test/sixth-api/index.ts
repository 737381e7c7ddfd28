import { readFileSync } from 'node:fs';

import { parse } from 'yaml';

import type { OpenApiDocument } from '../../src/core/spec-document.js';
import { defineApi } from '../../src/core/vendor-api.js';
import type { ToyMockConfig } from './toy-api.js';
import { TOY_DEV_KEYS, createToyMock } from './toy-api.js';

/** The toy's descriptor: what `src/apis/registry.ts` would list (its spec would be `spec/toy/openapi.yaml`). */
export const toy = defineApi<'toy', ToyMockConfig>({
  slug: 'toy',
  devKeys: TOY_DEV_KEYS,
  configSchema: { type: 'object' },
  doc: () => parse(readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8')) as OpenApiDocument,
  create: createToyMock,
});
