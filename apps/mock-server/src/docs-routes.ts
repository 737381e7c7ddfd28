import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Express, Request, Response } from 'express';

import type { MountedApi } from './create-mock-server.js';

/**
 * Serves the Redoc pages built by `apps/docs`: `/docs` is the index, `/docs/<slug>` one API.
 * Only the mounted APIs' pages are served, and a missing build says how to make it. Each API's
 * page lists this server's own base URL for that API first, so the URL a reader copies works.
 */
export function mountDocs(
  app: Express,
  docsDir: string,
  apis: readonly MountedApi[],
  originOf: (req: Request) => string,
  /** Markdown that ends the API's description on its page (the mock's quick start). Default: none. */
  quickStart?: (slug: string, origin: string) => string | undefined,
): void {
  const pathOf = (res: Response, file: string) => {
    const path = join(docsDir, file);
    if (existsSync(path)) return path;
    res.status(503).type('text/plain').send(`Docs are not built (${path} is missing). Run: pnpm build`);
    return undefined;
  };
  app.get(['/docs', '/docs/'], (_req, res) => {
    const path = pathOf(res, 'index.html');
    if (path) res.type('text/html').sendFile(path);
  });
  for (const api of apis) {
    app.get([api.docsPath, `${api.docsPath}/`], (req, res) => {
      const path = pathOf(res, `${api.slug}.html`);
      const origin = originOf(req);
      if (path) res.type('text/html').send(withServerFirst(readFileSync(path, 'utf8'), mockServerOf(origin, api), quickStart?.(api.slug, origin)));
    });
  }
}

/** The API's base URL on this server: the origin `GET /` reports, never one the Host header made up. */
function mockServerOf(origin: string, api: MountedApi): { url: string; description: string } {
  return {
    url: `${origin}${api.basePath}`,
    description: 'This mock server (imagegen-mock): the same API, answered locally.',
  };
}

// Redoc's page carries the spec as one line of JSON: `const __redoc_definition = {...};`.
const DEFINITION = 'const __redoc_definition = ';

/**
 * The page with `server` first in the spec's `servers`, followed by the vendor's absolute ones.
 * Relative vendor servers (LumixAI's `/api/backend`) are left out: Redoc resolves them against the
 * page's own origin, which here would show a URL on this server that answers nothing (the
 * standalone page keeps them). Redoc renders the server list from this definition; the build's
 * static markup is replaced once its script runs. `appendToDescription` (Markdown) ends the API's
 * description. A page without a definition (not a Redoc build) is returned as it is.
 */
export function withServerFirst(html: string, server: { url: string; description?: string }, appendToDescription?: string): string {
  const start = html.indexOf(DEFINITION);
  if (start < 0) return html;
  const from = start + DEFINITION.length;
  const end = html.indexOf('\n', from);
  const definition = JSON.parse(html.slice(from, end).trimEnd().replace(/;$/, '')) as { servers?: Array<{ url?: unknown }>; info?: { description?: string } };
  if (appendToDescription !== undefined && definition.info) definition.info.description = `${definition.info.description ?? ''}\n\n${appendToDescription}`;
  const absolute = (definition.servers ?? []).filter((candidate) => typeof candidate.url === 'string' && /^[a-z][a-z\d+.-]*:\/\//i.test(candidate.url));
  definition.servers = [server, ...absolute];
  // `<` escaped so nothing in the spec can close the <script> the definition sits in.
  return `${html.slice(0, from)}${JSON.stringify(definition).replace(/</g, '\\u003c')};${html.slice(end)}`;
}
