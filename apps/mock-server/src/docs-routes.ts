import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { Express, Response } from 'express';

import type { MountedApi } from './create-mock-server.js';

/**
 * Serves the Redoc pages built by `apps/docs`: `/docs` is the index, `/docs/<slug>` one API.
 * Only the mounted APIs' pages are served, and a missing build says how to make it.
 */
export function mountDocs(app: Express, docsDir: string, apis: readonly MountedApi[]): void {
  const sendPage = (res: Response, file: string) => {
    const path = join(docsDir, file);
    if (!existsSync(path)) {
      res.status(503).type('text/plain').send(`Docs are not built (${path} is missing). Run: pnpm build`);
      return;
    }
    res.type('text/html').sendFile(path);
  };
  app.get(['/docs', '/docs/'], (_req, res) => sendPage(res, 'index.html'));
  for (const api of apis) {
    app.get([api.docsPath, `${api.docsPath}/`], (_req, res) => sendPage(res, `${api.slug}.html`));
  }
}
