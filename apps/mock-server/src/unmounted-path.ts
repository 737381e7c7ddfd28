import { listOperations } from './core/operations.js';
import type { OpenApiDocument } from './core/spec-document.js';
import { basePathOf } from './core/spec-document.js';

/** A mounted API as the not-found answer needs it. */
export interface RoutedApi {
  slug: string;
  title: string;
  /** `/lumixai/api/backend`: the slug, then the vendor's own base path. */
  basePath: string;
  doc: OpenApiDocument;
}

/**
 * The answer to a path no API is mounted at, naming the API it was probably meant for: the one of
 * whose operations the path names once its vendor base path, if it starts with it, is set aside
 * (`/api/backend/v1/images/jobs` is LumixAI's `/v1/images/jobs` without `/lumixai`). Each API's base
 * path is unique, so at most one API is named; none when several would fit.
 */
export function unmountedPathHint(apis: readonly RoutedApi[]): (path: string, origin: string) => { message: string; didYouMean?: string } {
  const routes = apis.map((api) => ({ api, vendorBase: basePathOf(api.doc), patterns: listOperations(api.doc).map((operation) => operation.pattern) }));
  return (path, origin) => {
    const matches = routes.flatMap(({ api, vendorBase, patterns }) => {
      const below = vendorBase !== '' && (path === vendorBase || path.startsWith(`${vendorBase}/`)) ? path.slice(vendorBase.length) : path;
      return patterns.some((pattern) => pattern.test(below)) ? [{ api, below }] : [];
    });
    const probable = matches.length === 1 ? matches[0]! : undefined;
    if (!probable) return { message: `No API is mounted at ${path}; GET / lists them` };
    const didYouMean = `${origin}${probable.api.basePath}${probable.below}`;
    return {
      message: `No API is mounted at ${path}; GET / lists them. Did you mean ${didYouMean}? The ${probable.api.title}'s base URL here is ${origin}${probable.api.basePath}`,
      didYouMean,
    };
  };
}
