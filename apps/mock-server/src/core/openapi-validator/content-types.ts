import { validatorRequire } from './version.js';

interface ContentTypeInstance {
  mediaType: string | null;
  normalize(excludeParams?: string[]): string | undefined;
}
type ContentTypeClass = (new (text: string | undefined) => ContentTypeInstance) & {
  from(req: { headers: Record<string, unknown> }): ContentTypeInstance;
  fromString(text: string | undefined): ContentTypeInstance;
  memoized?: true;
};

type CanValidate = ((this: unknown, contentType: string) => boolean) & { memoized?: true; original?: CanValidate };
interface ResponseValidatorModule {
  ResponseValidator: { prototype: { canValidateContentType: CanValidate } };
}

/** Distinct media type strings kept parsed; an API's requests and answers use a handful. */
const KEPT = 256;
const NORMALIZED = Symbol('normalized');

/**
 * express-openapi-validator parses the request's Content-Type twice per request (request and
 * response validation, each to build a cache key) and every media type of the answer's status
 * once more per answer (to pick its validator): a regular-expression walk and a sort each time, for
 * the same few strings. Its `ContentType` is only ever read after construction, so the copy of its
 * module the validator loads gets `from`/`fromString` that hand out one parsed instance per string
 * (up to {@link KEPT} strings; others are parsed each time, as before), and a `normalize()` that
 * remembers its default answer on the instance. The validator calls them through the class at call
 * time, so nothing else changes.
 */
export function memoizeValidatorContentTypes(): void {
  const util = validatorRequire('./middlewares/util.js') as { ContentType: ContentTypeClass };
  const { ContentType } = util;
  if (ContentType.memoized) return;
  const parsed = new Map<string | undefined, ContentTypeInstance>();
  const parse = (text: string | undefined): ContentTypeInstance => {
    let instance = parsed.get(text);
    if (instance === undefined) {
      instance = new ContentType(text);
      if (parsed.size < KEPT) parsed.set(text, instance);
    }
    return instance;
  };
  ContentType.from = (req) => {
    const header = req.headers['content-type'];
    return typeof header === 'string' || header === undefined ? parse(header) : new ContentType(header as string);
  };
  ContentType.fromString = (text) => parse(text);
  const normalize = ContentType.prototype.normalize;
  ContentType.prototype.normalize = function (this: ContentTypeInstance & { [NORMALIZED]?: { value: string | undefined } }, excludeParams?: string[]) {
    if (excludeParams !== undefined) return normalize.call(this, excludeParams);
    return (this[NORMALIZED] ??= { value: normalize.call(this) }).value;
  };
  ContentType.memoized = true;
  memoizeJsonContentCheck();
}

/**
 * Before checking an answer's body, its response stage asks whether the answer's media type is
 * JSON by parsing it twice more (content-type, then media-typer: two regular expressions and two
 * objects per answer). The answer depends on the string alone: the copy of its ResponseValidator
 * the validator loads remembers it per string (up to {@link KEPT}); a string that makes the
 * parsers throw is never remembered, so it throws every time, as before.
 */
function memoizeJsonContentCheck(): void {
  const { prototype } = (validatorRequire('./middlewares/openapi.response.validator.js') as ResponseValidatorModule).ResponseValidator;
  const original = prototype.canValidateContentType;
  if (original.memoized) return;
  const known = new Map<string, boolean>();
  const patched: CanValidate = function canValidateContentType(this: unknown, contentType: string) {
    let json = known.get(contentType);
    if (json === undefined) {
      json = original.call(this, contentType);
      if (known.size < KEPT && typeof contentType === 'string') known.set(contentType, json);
    }
    return json;
  };
  patched.memoized = true;
  patched.original = original;
  prototype.canValidateContentType = patched;
}
