import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

import type { Operation } from '../core/operations.js';
import type { ValidationIssue } from '../core/problems.js';
import type { OpenApiDocument } from '../core/spec-document.js';
import { deref } from '../core/spec-document.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives as the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SPEC_ID = 'proxy-spec.json';

/**
 * Checks a request the proxy is about to forward against the spec: its query parameters and a
 * JSON or form-encoded body. It never changes the request: the bytes forwarded are the caller's.
 * Multipart bodies are forwarded unchecked (their parts would have to be parsed and typed first).
 */
export class RequestCheck {
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: OpenApiDocument) {
    // Form fields and query values arrive as strings: coerced to the schema's types, as servers read them.
    this.#ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: 'array' });
    addFormats(this.#ajv);
    this.#ajv.addSchema({ components: doc.components ?? {} }, SPEC_ID);
  }

  issues(operation: Operation, query: URLSearchParams, contentType: string | undefined, body: Buffer): ValidationIssue[] {
    return [...this.#queryIssues(operation, query), ...this.#bodyIssues(operation, contentType, body)];
  }

  #queryIssues(operation: Operation, query: URLSearchParams): ValidationIssue[] {
    const raw = this.doc.paths[operation.path] ?? {};
    const params = [...((raw.parameters as unknown[]) ?? []), ...((((raw[operation.method.toLowerCase()] as Record<string, unknown>) ?? {}).parameters as unknown[]) ?? [])]
      .map((param) => deref<{ name: string; in: string; required?: boolean; schema?: unknown }>(this.doc, param))
      .filter((param) => param.in === 'query');
    const issues: ValidationIssue[] = [];
    for (const param of params) {
      const values = query.getAll(param.name);
      if (values.length === 0) {
        if (param.required) issues.push({ location: 'query', path: [param.name], field: param.name, keyword: 'required', message: `query parameter ${param.name} is required` });
        continue;
      }
      if (param.schema === undefined) continue;
      const holder = { value: values.length === 1 ? values[0] : values };
      const validate = this.#compile(`query ${operation.operationId} ${param.name}`, { type: 'object', properties: { value: param.schema } });
      if (!validate(holder)) issues.push(...toIssues(validate.errors, 'query', param.name, values[0]));
    }
    return issues;
  }

  #bodyIssues(operation: Operation, contentType: string | undefined, body: Buffer): ValidationIssue[] {
    if (!operation.hasRequestBody) return [];
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const allowed = Object.keys(operation.requestSchemas);
    if (body.length === 0 && media === '') {
      const required = deref<{ required?: boolean }>(this.doc, (this.doc.paths[operation.path]?.[operation.method.toLowerCase()] as { requestBody?: unknown }).requestBody).required;
      return required ? [{ location: 'body', path: [], field: 'body', keyword: 'required', message: 'request body is required' }] : [];
    }
    if (!allowed.includes(media)) {
      return [{ location: 'headers', path: ['content-type'], field: 'Content-Type', keyword: 'mediaType', message: `Content-Type ${media || '(none)'} is not one the operation takes: ${allowed.join(', ')}`, allowed }];
    }
    let value: unknown;
    if (media === 'application/json') {
      try {
        value = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return [{ location: 'body', path: [], field: 'body', keyword: 'type', message: `body is not valid JSON: ${(error as Error).message}` }];
      }
    } else if (media === 'application/x-www-form-urlencoded') {
      const form: Record<string, string | string[]> = {};
      for (const [name, field] of new URLSearchParams(body.toString('utf8'))) {
        const before = form[name];
        form[name] = before === undefined ? field : [...(Array.isArray(before) ? before : [before]), field];
      }
      value = form;
    } else {
      return [];
    }
    const validate = this.#compile(`body ${operation.operationId} ${media}`, operation.requestSchemas[media] ?? {});
    return validate(value) ? [] : toIssues(validate.errors, 'body');
  }

  #compile(key: string, schema: unknown): ValidateFunction {
    let validate = this.#compiled.get(key);
    if (!validate) {
      const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"$ref":"#/', `"$ref":"${SPEC_ID}#/`)) as object;
      validate = this.#ajv.compile(rebased);
      this.#compiled.set(key, validate);
    }
    return validate;
  }
}

function toIssues(errors: ErrorObject[] | null | undefined, location: 'body' | 'query', name?: string, value?: unknown): ValidationIssue[] {
  return (errors ?? []).map((error) => {
    const inner = error.instancePath.split('/').slice(1).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    const path: Array<string | number> = name === undefined ? inner : [name];
    const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
    if (missing !== undefined && name === undefined) path.push(missing);
    const allowed = error.keyword === 'enum' ? ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String) : undefined;
    const field = path.length === 0 ? 'body' : path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.');
    return {
      location,
      path,
      field,
      keyword: error.keyword,
      message: `${field} ${error.message ?? 'is invalid'}`,
      ...(name !== undefined ? { value } : {}),
      ...(allowed ? { allowed } : {}),
    };
  });
}
