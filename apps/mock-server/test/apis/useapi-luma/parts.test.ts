// The parts createUseapiLumaMock is composed of, tested on their own where they hold logic no HTTP
// test reaches cheaply: the uploads' byte budget, the request's defaults and resolution lock, the
// blocked-words pattern.
import { describe, expect, it } from 'vitest';

import { loadSpec } from '../../../src/index.js';
import { AssetStore } from '../../../src/apis/useapi-luma/assets.js';
import { blockedWordsPattern, requestDefaults, resolveRequest } from '../../../src/apis/useapi-luma/batch-submission.js';
import { loadModelTable } from '../../../src/apis/useapi-luma/model-table.js';

const doc = loadSpec('useapi-luma');
const table = loadModelTable(doc);
const defaults = requestDefaults(doc);

describe('AssetStore: uploads past the byte budget', () => {
  const asset = (size: number) => ({ owner: 'w', email: 'user@example.com', contentType: 'image/png', bytes: Buffer.alloc(size) });

  it('drops the oldest uploads’ bytes first, keeping every assetRef resolvable', () => {
    const store = new AssetStore(10);
    store.keep('a', asset(4));
    store.keep('b', asset(4));
    expect(store.bytes).toBe(8);
    store.keep('c', asset(4));
    expect(store.get('a')?.bytes, 'the oldest lost its bytes').toBeUndefined();
    expect(store.get('a')?.email, 'but is still an uploaded asset').toBe('user@example.com');
    expect([store.get('b')?.bytes?.length, store.get('c')?.bytes?.length]).toEqual([4, 4]);
    expect(store.bytes).toBe(8);
  });

  it('an upload larger than the whole budget keeps no bytes, and clear() forgets everything', () => {
    const store = new AssetStore(10);
    store.keep('a', asset(3));
    store.keep('big', asset(11));
    expect([store.get('a')?.bytes, store.get('big')?.bytes, store.bytes]).toEqual([undefined, undefined, 0]);
    store.clear();
    expect([store.get('a'), store.bytes]).toEqual([undefined, 0]);
  });
});

describe('resolveRequest: the echoed request and the size rendered', () => {
  it('takes the spec’s defaults for what the request leaves out', () => {
    const schemas = doc.components!.schemas as Record<string, { default?: string }>;
    const spec = { model: schemas.Model!.default, resolution: schemas.Resolution!.default, aspectRatio: schemas.AspectRatio!.default };
    expect(defaults).toEqual(spec);
    const resolved = resolveRequest({ prompt: 'p' }, [], table, defaults);
    expect(resolved.request).toEqual({ prompt: 'p', model: spec.model, resolution: spec.resolution, aspect_ratio: spec.aspectRatio });
    expect(resolved.resolution).toBe(spec.resolution);
  });

  it.each([
    ['image-v2 with references: locked to 720p', 'image-v2', ['r1'], '720p'],
    ['image-v2 without references: as asked', 'image-v2', [], '1080p'],
    ['photon-v2 with references: as asked (no lock)', 'photon-v2', ['r1', 'r2'], '1080p'],
  ] as const)('%s', (_title, model, refs, resolution) => {
    const resolved = resolveRequest({ prompt: 'p', model, resolution: '1080p', aspect_ratio: '1:1' }, refs, table, defaults);
    expect(resolved.request).toEqual({ prompt: 'p', model, resolution, aspect_ratio: '1:1', ...(refs.length > 0 ? { imageRefs: refs } : {}) });
    expect(resolved.entry).toBe(table.models[model]);
    expect(resolved.width).toBe(resolution === '720p' ? 720 : 1080);
  });
});

describe('blockedWordsPattern', () => {
  it.each([
    [['gore'], 'Some GORE here', true],
    [['gore'], 'gorgeous gorest', false],
    [['blood bath'], 'a blood   bath scene', true],
    [['c++'], 'written in c++ today', true],
    [['a.b'], 'axb', false],
    [['ünïcode'], 'Ünïcodes', false],
  ])('%j on %j: %s', (words, prompt, blocked) => {
    expect(blockedWordsPattern(words)?.test(prompt)).toBe(blocked);
  });

  it('an empty or blank list blocks nothing', () => {
    expect(blockedWordsPattern([])).toBeUndefined();
    expect(blockedWordsPattern(['  ', ''])).toBeUndefined();
  });
});
