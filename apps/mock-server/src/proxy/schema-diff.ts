import type { OpenApiDocument } from '../core/spec-document.js';
import { deref } from '../core/spec-document.js';

/** What kind of difference between an answer and the spec a {@link Difference} is. */
export type DifferenceKind =
  | 'undocumented-status'
  | 'undocumented-content-type'
  | 'missing-field'
  | 'extra-field'
  | 'wrong-type'
  | 'enum-value'
  | 'constraint'
  | 'header-absent';

/** One difference found in one answer. */
export interface Difference {
  kind: DifferenceKind;
  /**
   * Where: a JSON pointer into the body with each array index written `*`, so
   * the same field of every item is one group; `/headers/<name>` for a header; `` for the status itself.
   */
  pointer: string;
  message: string;
  /** The value the upstream sent there (undefined for an absent one). */
  value?: unknown;
  /** Whether the spec node the difference touches (or one it is nested in) is marked `x-inferred`. */
  inferred: boolean;
}

type Schema = Record<string, unknown>;

/**
 * Every difference between `value` and `schema`, as a drift report needs them: unlike a validator
 * that says "invalid", it names each missing or extra field, wrong type and unlisted enum value,
 * and tells whether an inferred node was involved. Fields a schema lists nowhere are extra unless
 * it allows more (`additionalProperties: true` or a schema); `oneOf`/`anyOf` take the closest branch.
 */
export function diffAgainstSchema(doc: OpenApiDocument, schema: unknown, value: unknown, pointer = '', inferred = false): Difference[] {
  const out: Difference[] = [];
  walk(doc, schema, value, pointer, inferred, out);
  return out;
}

function resolve(doc: OpenApiDocument, node: unknown, inferred: boolean): { schema: Schema; inferred: boolean } {
  let current = node;
  let marked = inferred || isInferred(current);
  for (let hops = 0; hops < 32 && isObject(current) && typeof current.$ref === 'string'; hops++) {
    current = deref(doc, { $ref: current.$ref });
    marked ||= isInferred(current);
  }
  return { schema: isObject(current) ? current : {}, inferred: marked };
}

/** `allOf` merged into one schema: the properties and requirements of every part. */
function flatten(doc: OpenApiDocument, node: unknown, inferred: boolean): { schema: Schema; inferred: boolean } {
  const resolved = resolve(doc, node, inferred);
  const { allOf, ...rest } = resolved.schema;
  if (!Array.isArray(allOf)) return resolved;
  let merged: Schema = { ...rest };
  let marked = resolved.inferred;
  for (const part of allOf) {
    const flat = flatten(doc, part, false);
    marked ||= flat.inferred;
    merged = {
      ...flat.schema,
      ...merged,
      properties: { ...(flat.schema.properties as Schema | undefined), ...(merged.properties as Schema | undefined) },
      required: [...((flat.schema.required as string[] | undefined) ?? []), ...((merged.required as string[] | undefined) ?? [])],
    };
  }
  return { schema: merged, inferred: marked };
}

function walk(doc: OpenApiDocument, node: unknown, value: unknown, pointer: string, inheritedInferred: boolean, out: Difference[]): void {
  const { schema, inferred } = flatten(doc, node, inheritedInferred);
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    let best: Difference[] | undefined;
    for (const alternative of alternatives) {
      const found: Difference[] = [];
      // An alternative inherits the properties written beside oneOf/anyOf.
      const { oneOf: _o, anyOf: _a, ...beside } = schema;
      walk(doc, { allOf: [beside, alternative] }, value, pointer, inferred, found);
      if (best === undefined || found.length < best.length) best = found;
      if (found.length === 0) break;
    }
    out.push(...(best ?? []));
    return;
  }
  const add = (kind: DifferenceKind, message: string, at = pointer, atValue: unknown = value, atInferred = inferred): void => {
    out.push({ kind, pointer: at, message, value: atValue, inferred: atInferred });
  };

  if (value === null) {
    const types = typesOf(schema);
    if (schema.nullable === true || types === undefined || types.includes('null') || (Array.isArray(schema.enum) && schema.enum.includes(null))) return;
    return add('wrong-type', `null where the spec says ${types.join(' or ')}`);
  }
  const types = typesOf(schema);
  if (types !== undefined && !types.some((type) => hasType(value, type))) {
    return add('wrong-type', `${typeName(value)} where the spec says ${types.join(' or ')}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
    return add('enum-value', `${JSON.stringify(value)} is not one of the listed values ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (schema.const !== undefined && schema.const !== value) return add('enum-value', `${JSON.stringify(value)} where the spec says ${JSON.stringify(schema.const)}`);
  checkConstraints(schema, value, add);

  if (Array.isArray(value)) {
    if (schema.items !== undefined) value.forEach((item) => walk(doc, schema.items, item, `${pointer}/*`, inferred, out));
    return;
  }
  if (!isObject(value)) return;
  const properties = (schema.properties ?? {}) as Schema;
  for (const name of (schema.required as string[] | undefined) ?? []) {
    if (!(name in value)) {
      const child = resolve(doc, properties[name], inferred);
      add('missing-field', `required field ${name} is absent`, `${pointer}/${escape(name)}`, undefined, child.inferred);
    }
  }
  const additional = schema.additionalProperties;
  const listsFields = schema.properties !== undefined || additional === false;
  for (const [name, child] of Object.entries(value)) {
    const at = `${pointer}/${escape(name)}`;
    if (Object.hasOwn(properties, name)) walk(doc, properties[name], child, at, inferred, out);
    else if (isObject(additional)) walk(doc, additional, child, at, inferred, out);
    else if (listsFields && additional !== true) add('extra-field', `field ${name} is not in the spec`, at, child);
  }
}

function checkConstraints(schema: Schema, value: unknown, add: (kind: DifferenceKind, message: string) => void): void {
  const number = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  if (typeof value === 'string') {
    const min = number('minLength');
    const max = number('maxLength');
    if (min !== undefined && value.length < min) add('constraint', `shorter than minLength ${min}`);
    if (max !== undefined && value.length > max) add('constraint', `longer than maxLength ${max}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) add('constraint', `does not match pattern ${schema.pattern}`);
  } else if (typeof value === 'number') {
    const min = number('minimum');
    const max = number('maximum');
    if (min !== undefined && value < min) add('constraint', `below minimum ${min}`);
    if (max !== undefined && value > max) add('constraint', `above maximum ${max}`);
  } else if (Array.isArray(value)) {
    const min = number('minItems');
    const max = number('maxItems');
    if (min !== undefined && value.length < min) add('constraint', `fewer than minItems ${min}`);
    if (max !== undefined && value.length > max) add('constraint', `more than maxItems ${max}`);
  }
}

function typesOf(schema: Schema): string[] | undefined {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type as string[];
  return undefined;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'null':
      return value === null;
    default:
      return true;
  }
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInferred(node: unknown): boolean {
  return isObject(node) && node['x-inferred'] === true;
}

function escape(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}
