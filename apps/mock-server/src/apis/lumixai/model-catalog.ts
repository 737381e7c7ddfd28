import { readFileSync } from 'node:fs';

import type { Model, ModelList, Resolution } from './spec-types.js';

import { packageDataFile } from '../../package-dir.js';

/** The catalog shipped with the mock: the models the documentation names. */
export const DEFAULT_MODELS_FILE = packageDataFile('lumixai', 'models.json');

/** Loads a `GET /v1/models` response body from disk, failing loudly on a malformed file. */
export function loadModelCatalog(file: string = DEFAULT_MODELS_FILE): Model[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`LumixAI model catalog ${file} is not readable JSON: ${(error as Error).message}`);
  }
  const list = parsed as Partial<ModelList>;
  if (!Array.isArray(list.data) || list.data.some((m) => typeof m?.slug !== 'string')) {
    throw new Error(`LumixAI model catalog ${file} must look like the GET /v1/models response: { "data": [ { "slug": ... } ] }`);
  }
  return list.data;
}

/** Edge length in pixels of the longer side for each resolution tier. */
const LONG_EDGE: Record<Resolution, number> = { '1k': 1024, '2k': 2048, '4k': 4096 };

/** A request's tier, capped at the model's maximum as the documentation says happens before pricing. */
export function capResolution(requested: Resolution, model: Model): Resolution {
  const order = Object.keys(LONG_EDGE) as Resolution[];
  return order.indexOf(requested) > order.indexOf(model.max_resolution) ? model.max_resolution : requested;
}

/** Pixel size for a ratio like `16:9` at a tier: the longer side gets the tier's edge length. */
export function pixelSize(aspectRatio: string, resolution: Resolution): { width: number; height: number } {
  const [w = 1, h = 1] = aspectRatio.split(':').map(Number);
  const edge = LONG_EDGE[resolution];
  return w >= h ? { width: edge, height: Math.round((edge * h) / w) } : { width: Math.round((edge * w) / h), height: edge };
}

/** Parses the catalog's `timing` ("~29s", "~2m", "30-60s") into milliseconds. */
export function typicalDurationMs(timing: string): number | undefined {
  const match = /(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(ms|s|m)\b/i.exec(timing);
  if (!match) return undefined;
  const low = Number(match[1]);
  const value = match[2] ? (low + Number(match[2])) / 2 : low;
  const unit = match[3]?.toLowerCase();
  return Math.round(value * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
}
