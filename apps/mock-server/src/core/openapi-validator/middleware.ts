import type { RequestHandler } from 'express';
import * as OpenApiValidator from 'express-openapi-validator';

import { documentsStatus, listOperations } from '../operations.js';
import type { OpenApiDocument } from '../spec-document.js';
import type { MountableApi } from '../vendor-api.js';
import { skipRefBundlingOfLocalDocuments } from './local-refs.js';
import { compileResponseValidatorsOnFirstUse } from './response-validators.js';
import { memoizeValidatorContentTypes } from './content-types.js';
import { memoizeValidatorRouteMatching } from './route-cache.js';
import { precomputeValidatorRouteLookup } from './route-lookup.js';
import { resolveSchemaRefsWithoutCompiling } from './schema-refs.js';
import { compileValidatorSpecCheckOnFirstUse } from './spec-check.js';
import { directOnceBuilt } from './sync-chain.js';
import { validateLeanRequests } from './lean-requests.js';
import { checkResponsesInLeanJson } from './lean-responses.js';
import { checkValidatorVersion } from './version.js';

// Everything the mock knows about express-openapi-validator lives in this folder: how it is set up
// per API (here), nine process-wide patches of its internals (route-cache.ts, route-lookup.ts,
// content-types.ts, spec-check.ts, schema-refs.ts, response-validators.ts, local-refs.ts,
// lean-requests.ts, lean-responses.ts), its stages run directly once built
// (sync-chain.ts), the reading of its errors (errors.ts), and the versions all of that was tested
// with (version.ts).

// Compiling a spec's validators takes most of a server's start-up; they hold no per-server state,
// so servers built from the same spec, prefix and options (one per test, say) share them.
const validators = new Map<string, RequestHandler>();

/** express-openapi-validator for one API's operations below `prefix`, as one handler (compiled now). */
export function openApiValidatorFor(api: MountableApi, prefix: string, validateResponses: boolean): RequestHandler {
  const cacheKey = `${api.slug}\u0000${prefix}\u0000${validateResponses}\u0000${JSON.stringify(api.doc)}`;
  let middleware = validators.get(cacheKey);
  if (!middleware) {
    checkValidatorVersion();
    memoizeValidatorRouteMatching();
    precomputeValidatorRouteLookup();
    memoizeValidatorContentTypes();
    compileValidatorSpecCheckOnFirstUse();
    resolveSchemaRefsWithoutCompiling();
    compileResponseValidatorsOnFirstUse();
    skipRefBundlingOfLocalDocuments();
    validateLeanRequests();
    checkResponsesInLeanJson();
    const validationDoc = structuredClone(api.doc);
    validationDoc.servers = [{ url: prefix }];
    allowUnknownQueryWhereNo400(validationDoc);
    const chain = OpenApiValidator.middleware({
      apiSpec: validationDoc as never,
      // `redocly lint` (recommended-strict, with its `struct` rule) validates every spec document
      // at build time; checking it again here cost each server ~100 ms per API.
      validateApiSpec: false,
      validateRequests: { allowUnknownQueryParameters: false },
      validateResponses: validateResponses ? { removeAdditional: false } : false,
      validateSecurity: false,
      // Multipart bodies are parsed (and their fields typed) by the pipeline before this runs.
      fileUploader: false,
      validateFormats: true,
      ignoreUndocumented: true,
    }) as RequestHandler[];
    // The instance that made `chain`, which the validator leaves on its factory.
    const instance = (OpenApiValidator.middleware as unknown as { _oav: Parameters<typeof directOnceBuilt>[0] })._oav;
    middleware = directOnceBuilt(instance, chain);
    validators.set(cacheKey, middleware);
  }
  return middleware;
}

/**
 * Unknown query parameters are refused (a typo gets a 400 naming it) only where the operation
 * documents a 400: elsewhere, e.g. LumixAI's public catalog, refusing would be an answer its spec
 * does not allow, so they are ignored, as most services do.
 */
function allowUnknownQueryWhereNo400(doc: OpenApiDocument): void {
  for (const operation of listOperations(doc)) {
    if (documentsStatus(operation, 400)) continue;
    const raw = doc.paths[operation.path]?.[operation.method.toLowerCase()] as Record<string, unknown>;
    raw['x-eov-allow-unknown-query-parameters'] = true;
  }
}
