import { readFileSync } from 'node:fs';

import { coerceFormFields } from '../../core/form-body.js';
import { PLACEHOLDER_MAX_PIXELS, PLACEHOLDER_MAX_SIDE } from '../../core/images/placeholder-image.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import type { FieldRule, RuleKeyword } from './validation-messages.js';
import { laravelMessage } from './validation-messages.js';
import { packageDataFile } from '../../package-dir.js';

/** The catalog shipped with the mock: the model the documentation names. */
export const DEFAULT_MODELS_FILE = packageDataFile('lumozai', 'models.json');

export const PARAMETER_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One parameter of a model, as the catalog file describes it. */
export interface ModelParameter extends FieldRule {
  type: ParameterType;
  /** A run without it is a 422. Default: false. */
  required?: boolean;
  /** The only values allowed. Default: any of the type. */
  enum?: Array<string | number | boolean>;
  /** The value a run that leaves it out gets. Default: none. */
  default?: string | number | boolean;
  description?: string;
}

/** One model of the catalog file. */
export interface LumozAIModel {
  /** What `model_id` names, e.g. `hidream-l1`. */
  model_id: string;
  name?: string;
  description?: string;
  /** `output_type` of its answers, e.g. `image`. */
  output_type: string;
  /** Pixel size of its output image. */
  output_size: { width: number; height: number };
  /** How long one run typically takes (the duration under `--timing realistic`). */
  typical_duration_ms: number;
  /** The parameters it takes beside `model_id` and `webhook`; any other field is a 422. */
  parameters: Record<string, ModelParameter>;
}

/** Fields every run takes, whatever the model. */
const RUN_FIELDS = new Set(['model_id', 'webhook']);

/** Loads a catalog file, failing loudly (with the offending model) on a malformed one. */
export function loadModelCatalog(file: string = DEFAULT_MODELS_FILE): LumozAIModel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`LumozAI model catalog ${file} is not readable JSON: ${(error as Error).message}`);
  }
  const models = (parsed as { models?: unknown } | null)?.models;
  if (!Array.isArray(models) || models.length === 0) {
    throw new Error(`LumozAI model catalog ${file} must be { "models": [ { "model_id": ... } ] } with at least one model`);
  }
  const seen = new Set<string>();
  for (const [index, model] of (models as LumozAIModel[]).entries()) {
    const problem = catalogProblem(model);
    const name = typeof model?.model_id === 'string' ? model.model_id : `#${index}`;
    if (problem !== undefined) throw new Error(`LumozAI model catalog ${file}, model ${name}: ${problem}`);
    if (seen.has(model.model_id)) throw new Error(`LumozAI model catalog ${file}: model ${name} is listed twice`);
    seen.add(model.model_id);
  }
  return models as LumozAIModel[];
}

function catalogProblem(model: LumozAIModel): string | undefined {
  if (typeof model !== 'object' || model === null) return 'must be an object';
  if (typeof model.model_id !== 'string' || model.model_id === '') return 'model_id must be a non-empty string';
  if (typeof model.output_type !== 'string' || model.output_type === '') return 'output_type must be a non-empty string';
  const { width, height } = model.output_size ?? {};
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) return 'output_size must be { width, height } in whole pixels';
  if (width > PLACEHOLDER_MAX_SIDE || height > PLACEHOLDER_MAX_SIDE || width * height > PLACEHOLDER_MAX_PIXELS) {
    return `output_size is larger than the mock renders (${PLACEHOLDER_MAX_SIDE} px a side, ${PLACEHOLDER_MAX_PIXELS} pixels)`;
  }
  if (typeof model.typical_duration_ms !== 'number' || !(model.typical_duration_ms >= 0)) return 'typical_duration_ms must be a number of milliseconds';
  if (typeof model.parameters !== 'object' || model.parameters === null) return 'parameters must be an object';
  for (const [name, parameter] of Object.entries(model.parameters)) {
    if (RUN_FIELDS.has(name)) return `parameter ${name} is a field of every run, not of a model`;
    if (!PARAMETER_TYPES.includes(parameter?.type)) return `parameter ${name}: type must be one of ${PARAMETER_TYPES.join(', ')}`;
    if (parameter.default !== undefined && checkValue(parameter, parameter.default) !== undefined) return `parameter ${name}: its default breaks its own rules`;
  }
  return undefined;
}

/** The rule `value` breaks, if any. */
function checkValue(parameter: ModelParameter, value: unknown): RuleKeyword | undefined {
  const { type } = parameter;
  const typed =
    type === 'string'
      ? typeof value === 'string'
      : type === 'boolean'
        ? typeof value === 'boolean'
        : typeof value === 'number' && Number.isFinite(value) && (type === 'number' || Number.isInteger(value));
  if (!typed) return 'type';
  if (parameter.enum !== undefined && !parameter.enum.includes(value as string | number | boolean)) return 'enum';
  if (typeof value === 'number') {
    if (parameter.minimum !== undefined && value < parameter.minimum) return 'minimum';
    if (parameter.maximum !== undefined && value > parameter.maximum) return 'maximum';
  }
  if (typeof value === 'string') {
    // Laravel counts characters, not UTF-16 units.
    const length = [...value].length;
    if (parameter.minLength !== undefined && length < parameter.minLength) return 'minLength';
    if (parameter.maxLength !== undefined && length > parameter.maxLength) return 'maxLength';
  }
  return undefined;
}

/** The model's parameters as a JSON Schema object, so form values can be typed like the spec's fields. */
function parameterSchema(model: LumozAIModel): Record<string, unknown> {
  let schema = parameterSchemas.get(model);
  if (schema === undefined) {
    schema = { type: 'object', properties: Object.fromEntries(Object.entries(model.parameters).map(([name, p]) => [name, { type: p.type }])) };
    parameterSchemas.set(model, schema);
  }
  return schema;
}

/** Built once per model: a run types its form fields by it, and form-body.ts reads each schema once. */
const parameterSchemas = new WeakMap<LumozAIModel, Record<string, unknown>>();

export type ParameterCheck =
  | { ok: true; values: Record<string, string | number | boolean> }
  | { ok: false; details: Record<string, string[]> };

/**
 * Checks a run's fields against the model's own parameter list: each known one against its type
 * and range, each required one present, nothing else sent. A form's values are text, so they are
 * typed by the model's list first; a JSON body keeps its types. Left-out parameters get their
 * defaults.
 */
export function checkParameters(doc: OpenApiDocument, model: LumozAIModel, body: Record<string, unknown>, form: boolean): ParameterCheck {
  if (form) coerceFormFields(doc, parameterSchema(model), body);
  const details = Object.create(null) as Record<string, string[]>;
  const values: Record<string, string | number | boolean> = {};
  for (const [name, parameter] of Object.entries(model.parameters)) {
    const value = Object.prototype.hasOwnProperty.call(body, name) ? body[name] : undefined;
    // Laravel turns an empty string into null before validating: a required field left empty is missing.
    if (value === undefined || value === null || (value === '' && parameter.required)) {
      if (parameter.required) details[name] = [laravelMessage(name, 'required')];
      else if (parameter.default !== undefined) values[name] = parameter.default;
      continue;
    }
    const broken = checkValue(parameter, value);
    if (broken !== undefined) details[name] = [laravelMessage(name, broken, parameter)];
    else values[name] = value as string | number | boolean;
  }
  for (const name of Object.keys(body)) {
    if (!RUN_FIELDS.has(name) && !Object.prototype.hasOwnProperty.call(model.parameters, name)) {
      details[name] = [laravelMessage(name, 'prohibited')];
    }
  }
  return Object.keys(details).length > 0 ? { ok: false, details } : { ok: true, values };
}
