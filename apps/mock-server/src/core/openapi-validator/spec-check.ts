import { validatorRequire } from './version.js';

interface SchemaValidatorModule {
  OpenAPISchemaValidator: (new (options: object) => { validate(doc: unknown): unknown }) & { compilesOnFirstUse?: true };
}

/**
 * express-openapi-validator builds its check of the spec document (Ajv compiling the whole OpenAPI
 * 3 meta-schema, 35-95 ms) on every `middleware()` call, even with `validateApiSpec: false`, where
 * the check is never run: the largest single cost of mounting an API. The copy of its module the
 * validator loads is given a class that compiles on the first `validate()`, so the check costs
 * nothing unless it runs. The validator reads the export at call time, so nothing else changes.
 */
const counts = { constructed: 0, compiled: 0 };

/** How many spec checks the validator built through the patch, and how many it compiled, for tests. */
export function specCheckCounts(): { constructed: number; compiled: number } {
  return { ...counts };
}

export function compileValidatorSpecCheckOnFirstUse(): void {
  const schemaValidatorModule = validatorRequire('./framework/openapi.schema.validator.js') as SchemaValidatorModule;
  const Original = schemaValidatorModule.OpenAPISchemaValidator;
  if (Original.compilesOnFirstUse) return;
  schemaValidatorModule.OpenAPISchemaValidator = class OpenAPISchemaValidatorCompiledOnFirstUse {
    static readonly compilesOnFirstUse = true as const;
    readonly #options: object;
    #compiled: InstanceType<typeof Original> | undefined;

    constructor(options: object) {
      this.#options = options;
      counts.constructed++;
    }

    validate(doc: unknown): unknown {
      if (!this.#compiled) counts.compiled++;
      this.#compiled ??= new Original(this.#options);
      return this.#compiled.validate(doc);
    }
  };
}
