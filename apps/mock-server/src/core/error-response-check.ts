import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

import type { Operation } from './operations.js';
import type { OpenApiDocument } from './spec-document.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SPEC_ID = 'mock-spec.json';

/**
 * Checks the mock's error answers against the spec, the same way express-openapi-validator checks
 * handlers' answers: the status must be documented for the operation (exactly, as `4XX`/`5XX`, or
 * as `default`), and a JSON body must match its schema.
 *
 * The validator cannot do it for errors: its response check hooks `res.json` in a middleware that
 * runs after authentication, rate limits, `Prefer` and its own request validation, so the 400s,
 * 401s, 429s and simulated errors those produce never pass it, and it lets every status of 500 and
 * above through unchecked. Without this, an error body that broke the spec would reach clients
 * silently.
 */
export class ErrorResponseCheck {
  readonly #doc: OpenApiDocument;
  // Made on the first error body that has a schema: most servers (and every API a test does not
  // call) never answer one, and setting Ajv up with formats costs a few ms per API at start-up.
  #ajv: Ajv | undefined;
  readonly #validators = new Map<string, ValidateFunction | 'no body' | 'undocumented'>();

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
  }

  /** Why this body breaks the spec for `operation` answering `status`; undefined when it keeps to it. */
  violation(operation: Operation, status: number, body: unknown): string | undefined {
    const validator = this.#validatorFor(operation, status);
    if (validator === 'undocumented') return `no schema defined for status code '${status}' in the openapi spec`;
    if (validator === 'no body') return body === undefined ? undefined : 'response should NOT have a body';
    if (validator(body)) return undefined;
    return (validator.errors ?? []).map((error) => `/response${error.instancePath}: ${error.message ?? 'is invalid'}`).join('; ');
  }

  #validatorFor(operation: Operation, status: number) {
    const key = `${operation.method} ${operation.path} ${status}`;
    let validator = this.#validators.get(key);
    if (validator === undefined) {
      validator = this.#compile(operation, status);
      this.#validators.set(key, validator);
    }
    return validator;
  }

  #compile(operation: Operation, status: number): ValidateFunction | 'no body' | 'undocumented' {
    const response = operation.responses[String(status)] ?? operation.responses[`${String(status)[0]}XX`] ?? operation.responses.default;
    if (!response) return 'undocumented';
    const content = response.content as Record<string, { schema?: unknown }> | undefined;
    const schema = content?.['application/json']?.schema;
    if (schema === undefined) return 'no body';
    // Point the schema's local refs at the registered components.
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${SPEC_ID}#/`)) as object;
    return (this.#ajv ??= this.#createAjv()).compile(rebased);
  }

  #createAjv(): Ajv {
    // OpenAPI 3.0 schemas carry `example` and `x-*` keys Ajv's strict mode would refuse; the
    // components are registered whole so the schemas' local `#/components/...` refs resolve.
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ components: this.#doc.components ?? {} }, SPEC_ID);
    return ajv;
  }
}
