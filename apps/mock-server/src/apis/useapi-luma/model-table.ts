import { readFileSync } from 'node:fs';

import type { AspectRatio, Model, Resolution } from './spec-types.js';

import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';
import { packageDataFile } from '../../package-dir.js';

/** The table shipped with the mock (see data/useapi-luma/README.md for what is documented). */
export const DEFAULT_MODELS_FILE = packageDataFile('useapi-luma', 'models.json');
/** The moderation list used when the config names none. */
export const DEFAULT_BLOCKED_WORDS_FILE = packageDataFile('useapi-luma', 'blocked-words.json');

export interface ModelEntry {
  /** The resolution every batch with references runs at, or null when references allow any. */
  referencesLockResolution: Resolution | null;
  typicalSeconds: Record<Resolution, number>;
  creditsPerImage: Record<Resolution, number>;
}

export interface ModelTable {
  resolutions: Record<Resolution, { shortSide: number }>;
  models: Record<Model, ModelEntry>;
}

/**
 * Reads the model table and checks it against the spec's `Model` and `Resolution` enums, so the
 * table can neither miss a documented value nor invent one.
 */
export function loadModelTable(doc: OpenApiDocument, file: string = DEFAULT_MODELS_FILE): ModelTable {
  const table = readJson(file, 'model table') as Partial<ModelTable>;
  const resolutions = enumOf(doc, 'Resolution');
  const models = enumOf(doc, 'Model');
  const problems = [
    ...mismatch('resolutions', Object.keys(table.resolutions ?? {}), resolutions),
    ...mismatch('models', Object.keys(table.models ?? {}), models),
  ];
  for (const [name, entry] of Object.entries(table.models ?? {})) {
    for (const field of ['typicalSeconds', 'creditsPerImage'] as const) {
      const values = entry?.[field] as Record<string, unknown> | undefined;
      const missing = resolutions.filter((resolution) => typeof values?.[resolution] !== 'number');
      if (missing.length > 0) problems.push(`models.${name}.${field} has no number for ${missing.join(', ')}`);
    }
    const lock = entry?.referencesLockResolution;
    if (lock !== null && !resolutions.includes(String(lock))) problems.push(`models.${name}.referencesLockResolution must be null or one of ${resolutions.join(', ')}`);
  }
  for (const [name, entry] of Object.entries(table.resolutions ?? {})) {
    if (!Number.isInteger(entry?.shortSide) || entry.shortSide < 1) problems.push(`resolutions.${name}.shortSide must be a positive integer`);
  }
  if (problems.length > 0) throw new Error(`useapi-luma model table ${file} does not match the spec: ${problems.join('; ')}`);
  return table as ModelTable;
}

/** The moderation list shipped with the mock. */
export function loadBlockedWords(file: string = DEFAULT_BLOCKED_WORDS_FILE): string[] {
  const words = readJson(file, 'blocked words');
  if (!Array.isArray(words) || words.some((word) => typeof word !== 'string')) {
    throw new Error(`useapi-luma blocked words ${file} must be a JSON array of strings`);
  }
  return words as string[];
}

/** Pixel size of an image: the resolution gives the shorter side, the ratio the longer one. */
export function pixelSize(table: ModelTable, resolution: Resolution, aspectRatio: AspectRatio): { width: number; height: number } {
  const [w = 1, h = 1] = aspectRatio.split(':').map(Number);
  const short = table.resolutions[resolution].shortSide;
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h));
  return w >= h ? { width: long, height: short } : { width: short, height: long };
}

function enumOf(doc: OpenApiDocument, schema: string): string[] {
  const values = deref<{ enum?: unknown[] } | undefined>(doc, doc.components?.schemas?.[schema])?.enum;
  if (!Array.isArray(values)) throw new Error(`spec/useapi-luma has no ${schema} enum`);
  return values.map(String);
}

function mismatch(field: string, found: string[], documented: string[]): string[] {
  const missing = documented.filter((value) => !found.includes(value));
  const extra = found.filter((value) => !documented.includes(value));
  return [
    ...(missing.length > 0 ? [`${field} lacks ${missing.join(', ')}`] : []),
    ...(extra.length > 0 ? [`${field} has ${extra.join(', ')}, which the spec does not list`] : []),
  ];
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`useapi-luma ${what} ${file} is not readable JSON: ${(error as Error).message}`);
  }
}
