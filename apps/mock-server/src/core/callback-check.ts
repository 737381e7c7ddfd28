import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

import { deref } from './spec-document.js';
import type { OpenApiDocument } from './spec-document.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const COMPONENTS_ID = 'mock-callback-spec.json';

/** Where a callback's request body schema was found in the document. */
interface Found {
  /** `paths./v1/x.post.callbacks.taskFinished` or `webhooks.taskFinished`, for messages. */
  where: string;
  operationId: string | undefined;
  schema: unknown;
}

/** Which callback a payload is checked against. */
export interface CallbackSelector {
  /**
   * The operation declaring the callback, when several declare one of that name with different
   * bodies. Default: any (the bodies must then be the same). Ignored for 3.1 `webhooks`.
   */
  operationId?: string;
}

/**
 * Checks webhook payloads against the body schema the spec gives the callback: OpenAPI 3.0
 * `callbacks` under operations, or 3.1 top-level `webhooks`, by name. 3.1 documents are checked as
 * JSON Schema 2020-12 (their dialect), 3.0 ones as Ajv's default draft with OpenAPI's `nullable`.
 */
export class CallbackSchemaCheck {
  readonly #doc: OpenApiDocument;
  readonly #ajv: Ajv;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(doc: OpenApiDocument) {
    this.#doc = doc;
    const options = { strict: false, allErrors: true, validateSchema: false } as const;
    // Ajv2020 is a subclass of Ajv, but the two ship separate declarations of the class.
    this.#ajv = doc.openapi.startsWith('3.1') ? (new Ajv2020(options) as unknown as Ajv) : new Ajv(options);
    addFormats(this.#ajv);
    // The components are registered whole so a schema's `#/components/...` refs resolve.
    this.#ajv.addSchema({ components: doc.components ?? {} }, COMPONENTS_ID);
  }

  /** Every callback and webhook name the document declares, sorted. */
  names(): string[] {
    return [...new Set(this.#find().map((found) => found.where.split('.').at(-1) as string))].sort();
  }

  /**
   * A check for one callback's payloads, answering why a payload breaks the schema (undefined when
   * it keeps to it): the shape `WebhookDispatcher.deliver({ validate })` takes.
   *
   * @throws Error when the document has no such callback, or several with different bodies and no
   *   `operationId` to choose between them.
   */
  validator(name: string, selector: CallbackSelector = {}): (payload: unknown) => string | undefined {
    const validate = this.#validatorFor(name, selector);
    return (payload) => {
      if (validate(payload)) return undefined;
      return (validate.errors ?? []).map((error) => `/body${error.instancePath}: ${error.message ?? 'is invalid'}${detail(error.params)}`).join('; ');
    };
  }

  /** Why `payload` breaks the named callback's body schema; undefined when it keeps to it. */
  violation(name: string, payload: unknown, selector: CallbackSelector = {}): string | undefined {
    return this.validator(name, selector)(payload);
  }

  #validatorFor(name: string, selector: CallbackSelector): ValidateFunction {
    const key = `${selector.operationId ?? ''} ${name}`;
    let validate = this.#validators.get(key);
    if (!validate) {
      const matches = this.#find().filter(
        (found) =>
          found.where.split('.').at(-1) === name && (selector.operationId === undefined || found.operationId === undefined || found.operationId === selector.operationId),
      );
      if (matches.length === 0) {
        const known = this.names();
        throw new Error(`the spec declares no callback or webhook ${JSON.stringify(name)}${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`);
      }
      const bodies = new Set(matches.map((found) => JSON.stringify(found.schema)));
      if (bodies.size > 1) {
        throw new Error(`callback ${JSON.stringify(name)} has different bodies at ${matches.map((found) => found.where).join(', ')}; pass an operationId`);
      }
      const rebased = JSON.parse((bodies.values().next().value as string).replaceAll('"$ref":"#/', `"$ref":"${COMPONENTS_ID}#/`)) as object;
      validate = this.#ajv.compile(rebased);
      this.#validators.set(key, validate);
    }
    return validate;
  }

  /** Every callback body schema in the document. */
  #find(): Found[] {
    const found: Found[] = [];
    for (const [path, item] of Object.entries(this.#doc.paths ?? {})) {
      for (const [method, operation] of Object.entries(deref<Record<string, unknown>>(this.#doc, item))) {
        const callbacks = (operation as { callbacks?: Record<string, unknown> } | null)?.callbacks;
        if (typeof callbacks !== 'object' || callbacks === null) continue;
        const operationId = (operation as { operationId?: string }).operationId;
        for (const [name, callback] of Object.entries(callbacks)) {
          for (const expressionItem of Object.values(deref<Record<string, unknown>>(this.#doc, callback))) {
            const schema = this.#postBodySchema(expressionItem);
            if (schema !== undefined) found.push({ where: `paths.${path}.${method}.callbacks.${name}`, operationId, schema });
          }
        }
      }
    }
    const webhooks = (this.#doc.webhooks ?? {}) as Record<string, unknown>;
    for (const [name, item] of Object.entries(webhooks)) {
      const schema = this.#postBodySchema(item);
      if (schema !== undefined) found.push({ where: `webhooks.${name}`, operationId: undefined, schema });
    }
    return found;
  }

  /** The JSON body schema of a path item's POST, if it declares one. */
  #postBodySchema(pathItem: unknown): unknown {
    const post = deref<{ post?: { requestBody?: unknown } }>(this.#doc, pathItem).post;
    if (!post?.requestBody) return undefined;
    const body = deref<{ content?: Record<string, { schema?: unknown }> }>(this.#doc, post.requestBody);
    return body.content?.['application/json']?.schema;
  }
}

/** The allowed values or the unexpected property, which Ajv's message leaves out. */
function detail(params: Record<string, unknown>): string {
  if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')})`;
  if (typeof params.additionalProperty === 'string') return ` (${params.additionalProperty})`;
  return '';
}
