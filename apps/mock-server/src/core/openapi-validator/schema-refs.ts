import { validatorRequire } from './version.js';

interface SchemaPreprocessorInstance {
  apiDoc: { components?: Record<string, Record<string, unknown> | undefined> };
  resolvedSchemaCache: Map<string, unknown>;
  /** Set by the patch: the component schemas as the instance's Ajv registered them. */
  registeredSchemas?: Record<string, unknown>;
}

type ResolveSchema = ((this: SchemaPreprocessorInstance, schema: unknown) => unknown) & { resolvesByPointer?: true; original?: ResolveSchema };

interface SchemaPreprocessorModule {
  SchemaPreprocessor: { prototype: { resolveSchema: ResolveSchema } };
}

/** How many `$ref`s the validator resolved through the patch, and how many it left to the original, for tests. */
const counts = { byPointer: 0, byOriginal: 0 };

export function schemaRefCounts(): { byPointer: number; byOriginal: number } {
  return { ...counts };
}

/** `#/components/<kind>/<name>`, the only form of `$ref` the patch resolves itself. */
const COMPONENT_REF = /^#\/components\/([^/]+)\/([^/]+)$/;

/**
 * express-openapi-validator's schema preprocessor, run once per API on its first request, resolves
 * every `$ref` of the spec with `ajv.getSchema(ref).schema`: Ajv compiles the whole referenced
 * schema into a validator that is thrown away, only to hand back the schema object it was given.
 * That was 80-100 ms of a five-API server's start-up, the largest share of each API's first
 * answer. The copy of its module the validator loads gets a `resolveSchema` that reads
 * `#/components/<kind>/<name>` straight from the document: for `schemas`, the object the
 * preprocessor's Ajv registered (taken before the preprocessor rewrites `components.schemas`),
 * exactly what `getSchema` returned; for other kinds, where `getSchema` finds nothing, the same
 * lookup the original falls back to. Any other form of `$ref` goes to the original. The validator
 * calls the method on its prototype, so nothing else changes.
 */
export function resolveSchemaRefsWithoutCompiling(): void {
  const { SchemaPreprocessor } = validatorRequire('./middlewares/parsers/schema.preprocessor.js') as SchemaPreprocessorModule;
  const original = SchemaPreprocessor.prototype.resolveSchema;
  if (original.resolvesByPointer) return;
  const patched: ResolveSchema = function resolveSchema(this: SchemaPreprocessorInstance, schema: unknown) {
    // The first call comes before the preprocessor replaces any component schema: the snapshot
    // holds what its Ajv was given in the constructor.
    this.registeredSchemas ??= { ...this.apiDoc.components?.schemas };
    const ref = (schema as { $ref?: unknown } | null | undefined)?.$ref;
    const parts = typeof ref === 'string' ? COMPONENT_REF.exec(ref) : null;
    if (!parts) {
      if (ref !== undefined) counts.byOriginal++;
      return original.call(this, schema);
    }
    const cache = this.resolvedSchemaCache;
    if (cache.has(ref as string)) return cache.get(ref as string);
    const [, kind, name] = parts as unknown as [string, string, string];
    const holder = kind === 'schemas' ? this.registeredSchemas : this.apiDoc.components?.[kind];
    const resolved = holder !== undefined && Object.hasOwn(holder, name) ? holder[name] : undefined;
    if (resolved === undefined) {
      counts.byOriginal++;
      return original.call(this, schema);
    }
    counts.byPointer++;
    cache.set(ref as string, resolved);
    return resolved;
  };
  patched.resolvesByPointer = true;
  // Kept for the test that proves both resolve every spec the same.
  patched.original = original;
  SchemaPreprocessor.prototype.resolveSchema = patched;
}
