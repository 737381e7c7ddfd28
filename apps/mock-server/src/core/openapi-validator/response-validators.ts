import { validatorRequire } from './version.js';

type Validate = ((data: unknown) => boolean) & { errors?: unknown };
type UseAjvCache = (ajv: unknown, schema: unknown, cacheKey: string) => Validate;
type BuildValidators = ((this: unknown, responses: unknown, cacheKey: string) => unknown) & { compileOnFirstUse?: true };

interface ResponseValidatorModule {
  ResponseValidator: { prototype: { buildValidators: BuildValidators } };
}

const counts = { built: 0, compiled: 0 };

/** How many response validators the validator built through the patch, and how many it compiled, for tests. */
export function responseValidatorCounts(): { built: number; compiled: number } {
  return { ...counts };
}

/**
 * On an operation's first answer, express-openapi-validator compiles a validator for every status
 * the operation documents (ten for Luma Agents' `POST /generations`), each compile walking the whole
 * spec, though one answer needs one of them: a third of a first answer's cost. The copy of its
 * ResponseValidator the validator loads gets a `buildValidators` whose validators compile on their
 * first call and then are the compiled function's result and `errors`, so a status never answered
 * is never compiled. The validator calls both the method and `useAjvCache` through their modules at
 * call time, so nothing else changes.
 */
export function compileResponseValidatorsOnFirstUse(): void {
  const { ResponseValidator } = validatorRequire('./middlewares/openapi.response.validator.js') as ResponseValidatorModule;
  const util = validatorRequire('./middlewares/util.js') as { useAjvCache: UseAjvCache };
  const original = ResponseValidator.prototype.buildValidators;
  if (original.compileOnFirstUse) return;
  const patched: BuildValidators = function buildValidators(this: unknown, responses: unknown, cacheKey: string) {
    const useAjvCache = util.useAjvCache;
    // buildValidators is synchronous: the swap is seen by nothing but this call.
    util.useAjvCache = (ajv, schema, key) => compiledOnFirstCall(() => useAjvCache(ajv, schema, key));
    try {
      return original.call(this, responses, cacheKey);
    } finally {
      util.useAjvCache = useAjvCache;
    }
  };
  patched.compileOnFirstUse = true;
  ResponseValidator.prototype.buildValidators = patched;
}

function compiledOnFirstCall(compile: () => Validate): Validate {
  counts.built++;
  let compiled: Validate | undefined;
  const validate: Validate = (data) => {
    if (!compiled) counts.compiled++;
    compiled ??= compile();
    const valid = compiled(data);
    validate.errors = compiled.errors;
    return valid;
  };
  validate.errors = null;
  return validate;
}
