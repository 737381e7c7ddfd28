import { Router } from 'express';

import { WEBHOOK_STATUSES } from './webhooks.js';
import type { WebhookDelivery, WebhookDispatcher, WebhookFilter, WebhookStatus } from './webhooks.js';

/** Where {@link webhookRoutes} is meant to be mounted: no vendor's base path starts with `/_mock`. */
export const WEBHOOK_ROUTES_PATH = '/_mock/webhooks';

export interface WebhookRoutesOptions {
  /** The slugs `?api=` may name (the mounted APIs); any other is a 400. Default: any value. */
  apis?: readonly string[];
}

/** A delivery as the HTTP log shows it: the raw body as the UTF-8 text it is (it is JSON). */
export type WebhookDeliveryJson = Omit<WebhookDelivery, 'rawBody'> & { body: string };

export function deliveryToJson(delivery: WebhookDelivery): WebhookDeliveryJson {
  const { rawBody, ...rest } = delivery;
  return { ...rest, body: rawBody.toString('utf8') };
}

/**
 * The delivery log over HTTP, for people driving the mock from a shell:
 * - `GET /` lists kept deliveries, oldest first: `{ deliveries: [...] }`; `?api=`, `?status=` and
 *   `?url=` filter (an unknown status, or an API not in `options.apis`, is a 400 naming the valid ones).
 * - `GET /:id` answers one delivery, or 404.
 * Errors are `{ error: message }`.
 */
export function webhookRoutes(dispatcher: WebhookDispatcher, options: WebhookRoutesOptions = {}): Router {
  const allowed: Partial<Record<'api' | 'status', readonly string[]>> = { status: WEBHOOK_STATUSES, api: options.apis };
  const router = Router();
  router.get('/', (req, res) => {
    const filter: WebhookFilter = {};
    for (const name of ['api', 'status', 'url'] as const) {
      const value = req.query[name];
      if (value === undefined) continue;
      if (typeof value !== 'string') {
        res.status(400).json({ error: `give ${name} once, as a plain value` });
        return;
      }
      const valid = name === 'url' ? undefined : allowed[name];
      if (valid !== undefined && !valid.includes(value)) {
        // A misspelt filter would otherwise answer an empty list, as if nothing had been sent.
        res.status(400).json({ error: `${name} must be one of ${valid.join(', ')}, got ${JSON.stringify(value)}` });
        return;
      }
      filter[name] = value as WebhookStatus;
    }
    res.json({ deliveries: dispatcher.list(filter).map(deliveryToJson) });
  });
  router.get('/:id', (req, res) => {
    const delivery = dispatcher.get(req.params.id);
    if (!delivery) {
      res.status(404).json({ error: `no webhook delivery ${JSON.stringify(req.params.id)} (unknown, or dropped as old)` });
      return;
    }
    res.json(deliveryToJson(delivery));
  });
  return router;
}
