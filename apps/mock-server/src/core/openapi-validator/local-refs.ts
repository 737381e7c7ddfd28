import { validatorRequire } from './version.js';

type LoadSpec = ((this: unknown, apiDoc: unknown, refParser?: { mode?: string }) => Promise<unknown>) & { skipsLocalDocuments?: true };

interface FrameworkModule {
  OpenAPIFramework: { prototype: { loadSpec: LoadSpec } };
}

const counts = { skipped: 0, bundled: 0 };

/** How many documents the validator loaded without json-schema-ref-parser through the patch, and how many with it, for tests. */
export function refBundlingCounts(): { skipped: number; bundled: number } {
  return { ...counts };
}

/**
 * express-openapi-validator hands every spec to json-schema-ref-parser's `bundle()`, which crawls
 * the whole document to gather `$ref`s from other files and rewrite them as local ones: ~10 ms of
 * each API's first request. A document whose every `$ref` is local (`#/...`) and points straight
 * at a value that is not itself a `$ref`, as four of this repository's five specs are, comes out of
 * `bundle()` as it went in: such a document is handed on as it is. Any other document (a file path,
 * an external or chained `$ref` such as Lumen's alias schemas, `dereference` mode) still goes
 * through `bundle()`.
 */
export function skipRefBundlingOfLocalDocuments(): void {
  const { OpenAPIFramework } = validatorRequire('./framework/index.js') as FrameworkModule;
  const original = OpenAPIFramework.prototype.loadSpec;
  if (original.skipsLocalDocuments) return;
  const patched: LoadSpec = function loadSpec(this: unknown, apiDoc: unknown, refParser?: { mode?: string }) {
    if ((refParser?.mode ?? 'bundle') === 'bundle' && typeof apiDoc === 'object' && apiDoc !== null && hasOnlyDirectLocalRefs(apiDoc)) {
      counts.skipped++;
      return Promise.resolve(apiDoc);
    }
    counts.bundled++;
    return original.call(this, apiDoc, refParser);
  };
  patched.skipsLocalDocuments = true;
  OpenAPIFramework.prototype.loadSpec = patched;
}

/** Every `$ref` in `doc` is `#/...` and leads, through no other `$ref`, to an existing value that is no `$ref`. */
export function hasOnlyDirectLocalRefs(doc: object): boolean {
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    const ref = (node as { $ref?: unknown }).$ref;
    if (ref !== undefined && (typeof ref !== 'string' || !leadsDirectlyToValue(doc, ref))) return false;
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return true;
}

function leadsDirectlyToValue(doc: object, ref: string): boolean {
  if (!ref.startsWith('#/')) return false;
  let current: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    if (typeof current !== 'object' || current === null || '$ref' in current) return false;
    const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!Object.hasOwn(current, key)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'object' && current !== null && !('$ref' in current);
}
