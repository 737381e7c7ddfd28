import { createHash } from 'node:crypto';

import { Router } from 'express';
import type { Request, Response } from 'express';

import { renderPlaceholderImage } from '../images/placeholder-image.js';
import type { PlaceholderImageRequest } from '../images/placeholder-image.js';
import { LruCache } from '../lru-cache.js';
import { maskSecret } from '../secrets.js';
import { INSPECTOR_SCHEMA } from './schema.js';
import { renderMain, renderPage } from './page.js';
import type { RequestRecord } from './request-log.js';
import { DEFAULT_ROWS, MAX_ROWS, inspectorSnapshot } from './snapshot.js';
import type { InspectorFilter, InspectorSources } from './snapshot.js';

/** Where {@link inspectorRoutes} is mounted; the JSON views of webhooks, faults and drift stay below it. */
export const INSPECTOR_ROUTES_PATH = '/_mock';

/** Longest side of a job's thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 128;

export interface InspectorRoutes {
  router: Router;
  /** Ends every open stream (the server is closing). */
  close(): void;
}

/**
 * The inspector over HTTP, below `/_mock`:
 * - `GET /` the page (for `Accept: text/html`) or the snapshot as JSON (anything else), narrowed by
 *   `?api=<slug>&key=<masked key>&limit=<rows>`; `?fragment=main` answers only the page's `<main>`.
 * - `GET /requests/:id` one kept request with its headers and bodies (secrets masked, bodies cut).
 * - `GET /stream` server-sent events: `change` whenever what the same filter shows changed.
 * - `GET /thumbnails/:api/:job/:index` a small PNG of a succeeded job's image.
 * - `GET /schema.json` the JSON Schema of these answers.
 * Errors are `{ error: message }`.
 */
export function inspectorRoutes(sources: InspectorSources, options: { streamIntervalMs?: number } = {}): InspectorRoutes {
  const router = Router();
  const streams = new Set<Response>();
  const thumbnails = new LruCache<string, Buffer>(64);
  const streamIntervalMs = options.streamIntervalMs ?? 500;

  const filterOf = (req: Request, res: Response): InspectorFilter | undefined => {
    const one = (name: string) => {
      const value = req.query[name];
      if (value === undefined || value === '') return undefined;
      if (typeof value !== 'string') throw new Error(`give ${name} once, as a plain value`);
      return value;
    };
    try {
      const api = one('api');
      if (api !== undefined && !sources.apis.some((candidate) => candidate.slug === api)) {
        throw new Error(`api must be one of ${sources.apis.map((candidate) => candidate.slug).join(', ')}, got ${JSON.stringify(api)}`);
      }
      const limitText = one('limit');
      const limit = limitText === undefined ? DEFAULT_ROWS : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ROWS) throw new Error(`limit must be a whole number from 1 to ${MAX_ROWS}, got ${JSON.stringify(limitText)}`);
      const key = one('key');
      return { ...(api === undefined ? {} : { api }), ...(key === undefined ? {} : { key: maskedForm(key) }), limit };
    } catch (error) {
      res.status(400).json({ error: (error as Error).message });
      return undefined;
    }
  };

  // A full key typed into the filter is matched as its masked form; it is never echoed back.
  const maskedForm = (key: string) => (sources.apis.some((api) => api.keys.some((config) => config.key === key)) ? maskSecret(key) : key);

  /** The full records of the requests a snapshot lists, for the page's <details>. */
  const detailsOf = (apis: ReadonlyArray<{ requests: { recent: ReadonlyArray<{ id: string }> } }>) => {
    const details = new Map<string, RequestRecord>();
    for (const api of apis) {
      for (const summary of api.requests.recent) {
        const record = sources.requests.get(summary.id);
        if (record) details.set(record.id, record);
      }
    }
    return details;
  };

  router.get('/', (req, res) => {
    const filter = filterOf(req, res);
    if (!filter) return;
    const snapshot = inspectorSnapshot(sources, filter);
    res.set('Cache-Control', 'no-store');
    if (req.query.fragment === 'main') {
      res.type('html').send(renderMain(snapshot, detailsOf(snapshot.apis)));
      return;
    }
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') {
      res.json(snapshot);
      return;
    }
    const keys = sources.apis.map((api) => ({ api: api.slug, keys: api.keys.map((config) => maskSecret(config.key)) }));
    res.type('html').send(renderPage(snapshot, detailsOf(snapshot.apis), keys));
  });

  router.get('/schema.json', (_req, res) => {
    res.json(INSPECTOR_SCHEMA);
  });

  router.get('/requests/:id', (req, res) => {
    const record = sources.requests.get(req.params.id);
    if (!record) {
      res.status(404).json({ error: `no kept request ${JSON.stringify(req.params.id)} (unknown, or pushed out of its API's ring of ${sources.requests.capacity})` });
      return;
    }
    res.json(record);
  });

  router.get('/thumbnails/:api/:job/:index', (req, res) => {
    const api = sources.apis.find((candidate) => candidate.slug === req.params.api);
    const index = Number(req.params.index);
    const image = api && Number.isInteger(index) && index >= 0 ? api.outputImage(req.params.job, index) : undefined;
    if (!image) {
      res.status(404).json({ error: 'no such image: the job is unknown, not succeeded, or has fewer images' });
      return;
    }
    const png = thumbnails.getOrCreate(`${req.params.api}/${req.params.job}/${index}`, () => renderPlaceholderImage(thumbnailOf(image)));
    res.status(200).set({ 'Content-Type': 'image/png', 'Content-Length': String(png.length), 'Cache-Control': 'private, max-age=3600' }).end(png);
  });

  router.get('/stream', (req, res) => {
    const filter = filterOf(req, res);
    if (!filter) return;
    res.status(200).set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.flushHeaders();
    // What the page would show, minus the clock: a change in it is worth a refresh.
    const fingerprint = () => {
      const { now: _now, ...shown } = inspectorSnapshot(sources, filter);
      return createHash('sha1').update(JSON.stringify(shown)).digest('base64url');
    };
    let last = fingerprint();
    res.write(`retry: 2000\nevent: hello\ndata: ${last}\n\n`);
    streams.add(res);
    const server = (req.socket as { server?: { listening?: boolean } }).server;
    const timer = setInterval(() => {
      // A server that stopped listening is closing: end the stream so it can drain.
      if (server && server.listening === false) return res.end();
      const now = fingerprint();
      if (now !== last) {
        last = now;
        res.write(`event: change\ndata: ${now}\n\n`);
      }
    }, streamIntervalMs);
    timer.unref();
    res.once('close', () => {
      clearInterval(timer);
      streams.delete(res);
    });
  });

  return {
    router,
    close() {
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

/** The same placeholder at thumbnail size: same seed (colours) and label, PNG, no provenance. */
function thumbnailOf(image: PlaceholderImageRequest): PlaceholderImageRequest {
  const scale = Math.min(1, THUMBNAIL_SIDE / Math.max(image.width, image.height));
  return {
    format: 'png',
    width: Math.max(1, Math.round(image.width * scale)),
    height: Math.max(1, Math.round(image.height * scale)),
    seed: image.seed,
    label: image.label,
  };
}
