import { readFileSync } from 'node:fs';

import type { Resolution, operations } from './spec-types.js';

import { packageDataFile } from '../../package-dir.js';

/** The catalog shipped with the mock: the models the documentation names, and two groups. */
export const DEFAULT_CATALOG_FILE = packageDataFile('lumen', 'catalog.json');

/** What each submit operation asks a model to do; the catalog lists the modes each model supports. */
export const MODE_BY_OPERATION = {
  createGenerationTask: 'generate',
  createEditTask: 'edit',
  createInpaintTask: 'inpaint',
} as const satisfies Record<Exclude<keyof operations, 'getTask'>, string>;

export type LumenMode = (typeof MODE_BY_OPERATION)[keyof typeof MODE_BY_OPERATION];

const MODES: readonly string[] = Object.values(MODE_BY_OPERATION);

/** How the page names each mode in prose, for messages. */
export const MODE_NAMES: Record<LumenMode, string> = { generate: 'text-to-image', edit: 'image-to-image', inpaint: 'inpainting' };

export interface LumenModel {
  /** The model code requests name, e.g. `gpt-image-2-low`. */
  code: string;
  /** What it can do; only inpaint-capable models serve `POST /v1/images/inpaint`. */
  modes: LumenMode[];
  /** Credits per image before the group's multiplier. */
  unitPrice: number;
  /** The `quality` values it accepts; absent: any value (the page says quality is model dependent). */
  qualities?: string[];
  /** Typical duration of one task, for `--timing realistic`. Default: the mock's fallback (30 s). */
  typicalSeconds?: number;
}

export interface LumenGroup {
  name: string;
  /** Multiplies every model's unit price for keys of this group. */
  priceMultiplier: number;
  /** Model codes keys of this group may use; any other is "no such image model in this group". */
  models: string[];
}

export interface LumenCatalog {
  /** The group of keys that name none. */
  defaultGroup: string;
  models: LumenModel[];
  groups: LumenGroup[];
}

/** Loads a catalog file, failing loudly (naming the file and the field) when it is malformed. */
export function loadCatalog(file: string = DEFAULT_CATALOG_FILE): LumenCatalog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Lumen catalog ${file} is not readable JSON: ${(error as Error).message}`);
  }
  const problems = catalogProblems(parsed);
  if (problems.length > 0) throw new Error(`Lumen catalog ${file} is malformed: ${problems.join('; ')}`);
  return parsed as LumenCatalog;
}

function catalogProblems(value: unknown): string[] {
  const catalog = value as Partial<Record<keyof LumenCatalog, unknown>> | null;
  if (typeof catalog !== 'object' || catalog === null || !Array.isArray(catalog.models) || !Array.isArray(catalog.groups)) {
    return ['it must be { "defaultGroup": "...", "models": [...], "groups": [...] }'];
  }
  const problems: string[] = [];
  const codes = new Set<string>();
  catalog.models.forEach((raw: unknown, i) => {
    const model = (raw ?? {}) as Partial<Record<keyof LumenModel, unknown>>;
    const at = `models[${i}]`;
    if (typeof model.code !== 'string' || model.code === '') return void problems.push(`${at}.code must be a non-empty string`);
    if (codes.has(model.code)) problems.push(`${at}.code ${model.code} is listed twice`);
    codes.add(model.code);
    if (!Array.isArray(model.modes) || model.modes.length === 0 || model.modes.some((mode) => !MODES.includes(mode as string))) {
      problems.push(`${at}.modes must list some of ${MODES.join(', ')}`);
    }
    if (!isNonNegative(model.unitPrice)) problems.push(`${at}.unitPrice must be a number >= 0`);
    if (model.qualities !== undefined && !(Array.isArray(model.qualities) && model.qualities.every((q) => typeof q === 'string' && q !== ''))) {
      problems.push(`${at}.qualities must be a list of strings`);
    }
    if (model.typicalSeconds !== undefined && !isNonNegative(model.typicalSeconds)) problems.push(`${at}.typicalSeconds must be a number >= 0`);
  });
  const groups = new Set<string>();
  catalog.groups.forEach((raw: unknown, i) => {
    const group = (raw ?? {}) as Partial<Record<keyof LumenGroup, unknown>>;
    const at = `groups[${i}]`;
    if (typeof group.name !== 'string' || group.name === '') return void problems.push(`${at}.name must be a non-empty string`);
    if (groups.has(group.name)) problems.push(`${at}.name ${group.name} is listed twice`);
    groups.add(group.name);
    if (!isNonNegative(group.priceMultiplier)) problems.push(`${at}.priceMultiplier must be a number >= 0`);
    if (!Array.isArray(group.models)) return void problems.push(`${at}.models must be a list of model codes`);
    const unknown = group.models.filter((code) => !codes.has(code as string));
    if (unknown.length > 0) problems.push(`${at}.models names models the catalog does not have: ${unknown.join(', ')}`);
  });
  if (typeof catalog.defaultGroup !== 'string' || !groups.has(catalog.defaultGroup)) {
    problems.push(`defaultGroup must name one of the groups (${[...groups].join(', ')})`);
  }
  return problems;
}

function isNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Edge length in pixels of the longer side at each resolution tier. */
const LONG_EDGE: Record<Resolution, number> = { '1K': 1024, '2K': 2048, '4K': 4096 };
const TIERS = Object.keys(LONG_EDGE) as Resolution[];

export interface OutputSize {
  width: number;
  height: number;
  resolution: Resolution;
}

/**
 * The pixel size of each image. A ratio (`16:9`) gets the tier's edge on its longer side (1K when no
 * tier is given). Pixels (`1536x1024`) are kept, the tier inferred from them when none is given
 * (the smallest whose edge holds the longer side, at most 4K), and scaled down to fit the tier.
 */
export function outputSize(size: string, resolution: Resolution | undefined): OutputSize {
  const pixels = /^(\d+)x(\d+)$/.exec(size);
  const ratio = /^(\d+):(\d+)$/.exec(size);
  if (!pixels && !ratio) throw new TypeError(`size ${size} is neither WIDTHxHEIGHT nor W:H`);
  const [w, h] = (pixels ?? ratio)!.slice(1).map(Number) as [number, number];
  const longer = Math.max(w, h);
  const tier = resolution ?? (pixels ? (TIERS.find((t) => LONG_EDGE[t] >= longer) ?? '4K') : '1K');
  const edge = LONG_EDGE[tier];
  const scale = pixels && longer <= edge ? 1 : edge / longer;
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)), resolution: tier };
}
