import type { GenerationCreateRequest } from './spec-types.js';

import type { ValidationIssue } from '../../core/problems.js';
import type { OpenApiDocument } from '../../core/spec-document.js';
import { deref } from '../../core/spec-document.js';

// Luma answers 400 when a field breaks its own rule and 422 when a combination of fields is
// rejected. The spec writes the combination rules with if/then, oneOf, anyOf, not and
// dependentRequired, so express-openapi-validator catches them first; the mock checks them again
// itself. Both word them here, so a client sees the same detail whichever caught it.

type Schema = {
  properties?: Record<string, unknown>;
  items?: unknown;
  anyOf?: unknown[];
  then?: unknown;
  allOf?: unknown[];
  maxItems?: number;
  default?: unknown;
  type?: unknown;
};

/** What the combination rules need from the spec, read once. */
export interface RequestLimits {
  /** `image_ref`'s own maxItems (9): more is a field breaking its own rule. */
  imageRefMax: number;
  /** The stricter maxItems of `type: image_edit` (8): between the two is a rejected combination. */
  editImageRefMax: number;
  /** The request schema, to tell a nullable field's own `anyOf` from a combination rule. */
  schema: Schema;
  doc: OpenApiDocument;
}

export function readRequestLimits(doc: OpenApiDocument, schema: unknown): RequestLimits {
  const root = deref<Schema>(doc, schema);
  const imageRef = deref<Schema>(doc, root.properties?.image_ref ?? {});
  const editMax = findImageRefMax(doc, root.then);
  if (imageRef.maxItems === undefined || editMax === undefined) {
    throw new Error('spec/luma-agents: the request schema no longer states image_ref maxItems for both types');
  }
  return { imageRefMax: imageRef.maxItems, editImageRefMax: editMax, schema: root, doc };
}

function findImageRefMax(doc: OpenApiDocument, node: unknown): number | undefined {
  if (node === undefined) return undefined;
  const schema = deref<Schema>(doc, node);
  const own = schema.properties?.image_ref === undefined ? undefined : deref<Schema>(doc, schema.properties.image_ref).maxItems;
  if (own !== undefined) return own;
  for (const part of schema.allOf ?? []) {
    const found = findImageRefMax(doc, part);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A field that holds one input image: `source` or `image_ref[3]`. */
const IMAGE_FIELD = /^(?:source|image_ref\[\d+\])$/;

/**
 * `source`, `image_ref[0]`: the url-or-data rules of one input image. The page gives `source` its
 * "either url or data (not both)" rule and leaves every `image_ref` field optional, so a reference
 * may carry both; one with neither names no image (the spec marks that rule inferred).
 */
export function imageInputProblem(field: string, image: unknown): string | undefined {
  if (!isRecord(image) || !IMAGE_FIELD.test(field)) return undefined;
  const hasUrl = image.url !== undefined;
  const hasData = image.data !== undefined;
  if (hasUrl && hasData && field === 'source') return `${field}: provide either url or data, not both`;
  if (!hasUrl && !hasData) return `${field}: provide either url or inline base64 data`;
  if (hasData && image.media_type === undefined) return mediaTypeProblem(field);
  return undefined;
}

function mediaTypeProblem(field: string): string {
  return `${field}: media_type is required with data`;
}

/** `type: image_edit` needs something to edit, and its source takes one of the reference slots. */
export function editProblem(body: unknown, limits: RequestLimits): string | undefined {
  if (!isRecord(body) || body.type !== 'image_edit') return undefined;
  const refs = Array.isArray(body.image_ref) ? body.image_ref.length : 0;
  if ((body.source === undefined || body.source === null) && refs === 0) {
    return 'type image_edit needs an image to edit: send a source or at least one image_ref';
  }
  if (refs > limits.editImageRefMax) return editRefLimitProblem(refs, limits);
  return undefined;
}

function editRefLimitProblem(count: number, limits: RequestLimits): string {
  return `image_ref: type image_edit takes at most ${limits.editImageRefMax} reference images (${limits.imageRefMax} for type image); got ${count}`;
}

/** Every rejected combination of a schema-valid request, as the mock checks it itself. */
export function combinationProblems(body: GenerationCreateRequest, limits: RequestLimits): string[] {
  const problems = [editProblem(body, limits)];
  for (const [field, image] of inputImages(body)) problems.push(imageInputProblem(field, image));
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** The input images of a request with the field each came in: `source`, `image_ref[0]` ... */
export function inputImages(body: GenerationCreateRequest): Array<[string, NonNullable<GenerationCreateRequest['source']>]> {
  const images: Array<[string, NonNullable<GenerationCreateRequest['source']>]> = [];
  if (body.source != null) images.push(['source', body.source]);
  for (const [index, image] of (body.image_ref ?? []).entries()) images.push([`image_ref[${index}]`, image]);
  return images;
}

export interface IssueVerdict {
  /** `unprocessable` (422) for a rejected combination, `validation` (400) for a field's own rule. */
  kind: 'unprocessable' | 'validation';
  detail: string;
}

/**
 * Sorts the validator's findings into Luma's two statuses. express-openapi-validator reports the
 * first failing keyword of each branch it tried, so a failed combination arrives with its branches'
 * `required` errors beside it: the combination keyword decides, worded by the rules above.
 */
export function judgeIssues(issues: readonly ValidationIssue[], limits: RequestLimits): IssueVerdict {
  const bodyIssues = issues.filter((issue) => issue.location === 'body');
  // A value of the wrong JSON type breaks its own field's rule, whichever keyword failed first
  // (for a string `source`, ImageInput's `not` fails before its `type`).
  for (const issue of bodyIssues) {
    const mismatch = typeMismatch(issue, limits);
    if (mismatch !== undefined) return { kind: 'validation', detail: mismatch };
  }
  const combinations: string[] = [];
  for (const issue of bodyIssues) {
    const combination = combinationOf(issue, limits);
    if (combination !== undefined && !combinations.includes(combination)) combinations.push(combination);
  }
  if (combinations.length > 0) return { kind: 'unprocessable', detail: combinations.join('; ') };
  const first = issues[0];
  return { kind: 'validation', detail: first === undefined ? 'Invalid request parameters' : wordIssue(first, limits) };
}

/** `source must be object or null` when the value's JSON type is none the field's schema allows. */
function typeMismatch(issue: ValidationIssue, limits: RequestLimits): string | undefined {
  if (!('value' in issue)) return undefined;
  // The body itself (`null`, `1`, `[]`): core's own issue, already worded.
  if (issue.path.length === 0 && issue.keyword === 'type') return `body ${issue.message}`;
  const schema = schemaAt(limits, issue.path);
  if (schema === undefined) return undefined;
  const allowed = [schema, ...(isNullableUnion(schema) ? schema.anyOf!.map((part) => deref<Schema>(limits.doc, part)) : [])].flatMap((part) =>
    typeof part.type === 'string' ? [part.type] : Array.isArray(part.type) ? part.type.filter((type): type is string => typeof type === 'string') : [],
  );
  if (allowed.length === 0) return undefined;
  const value = issue.value;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'))) return undefined;
  return `${issue.field} must be ${allowed.join(' or ')}`;
}

function combinationOf(issue: ValidationIssue, limits: RequestLimits): string | undefined {
  switch (issue.keyword) {
    case 'oneOf':
    case 'not':
      return imageInputProblem(issue.field, issue.value) ?? `${issue.field}: ${issue.message}`;
    case 'dependentRequired': {
      // Reported at the missing property (`image_ref[0].media_type`): the rule is the image's.
      const image = issue.field.replace(/\.media_type$/, '');
      return IMAGE_FIELD.test(image) ? mediaTypeProblem(image) : `${issue.field}: ${issue.message}`;
    }
    case 'if':
    case 'then':
      return editProblem(issue.value, limits) ?? `${issue.field}: ${issue.message}`;
    case 'anyOf':
      // A nullable field's `anyOf: [schema, null]` is its own type rule; any other is a combination.
      if (isNullableUnion(schemaAt(limits, issue.path))) return undefined;
      return imageInputProblem(issue.field, issue.value) ?? (issue.path.length === 0 ? editProblem(issue.value, limits) : undefined) ?? `${issue.field}: ${issue.message}`;
    case 'maxItems':
      // Both limits arrive as maxItems on image_ref: within the field's own limit, it was image_edit's.
      if (issue.field === 'image_ref' && Array.isArray(issue.value) && issue.value.length <= limits.imageRefMax) {
        return editRefLimitProblem(issue.value.length, limits);
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The schema a body path points at, through `$ref`s and the non-null branch of nullable unions. */
function schemaAt(limits: RequestLimits, path: ReadonlyArray<string | number>): Schema | undefined {
  let node: Schema | undefined = limits.schema;
  for (const key of path) {
    if (node === undefined) return undefined;
    const current: Schema = nonNullBranch(limits.doc, node);
    const next: unknown = typeof key === 'number' ? current.items : current.properties?.[key];
    node = next === undefined ? undefined : deref<Schema>(limits.doc, next);
  }
  return node;
}

function nonNullBranch(doc: OpenApiDocument, schema: Schema): Schema {
  if (!isNullableUnion(schema)) return schema;
  const branch = schema.anyOf!.find((part) => deref<Schema>(doc, part).type !== 'null');
  return branch === undefined ? schema : deref<Schema>(doc, branch);
}

function isNullableUnion(schema: Schema | undefined): boolean {
  return schema?.anyOf?.some((part) => isRecord(part) && part.type === 'null') === true;
}

/** A field's own rule, worded as Luma's documented example (`aspect_ratio must be one of: ...`). */
function wordIssue(issue: ValidationIssue, limits: RequestLimits): string {
  if (issue.location !== 'body') {
    const where = { path: 'path parameter', query: 'query parameter', headers: 'header', request: 'request', body: '' }[issue.location];
    return `${where} ${issue.field}: ${issue.message}`.trim();
  }
  switch (issue.keyword) {
    case 'required':
      return `${issue.field} is required`;
    case 'enum':
      return issue.allowed ? `${issue.field} must be one of: ${issue.allowed.join(', ')}` : `${issue.field} ${issue.message}`;
    case 'additionalProperties':
      return `${issue.field} is not a parameter of this request`;
    case 'maxItems':
      // image_edit's stricter limit may be the one reported: name the field's own.
      if (issue.field === 'image_ref' && Array.isArray(issue.value)) {
        return `image_ref takes at most ${limits.imageRefMax} reference images; got ${issue.value.length}`;
      }
      return `${issue.field} ${issue.message}`;
    default:
      return `${issue.field} ${issue.message}`;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
