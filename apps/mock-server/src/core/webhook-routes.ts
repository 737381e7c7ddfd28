import { Router } from 'express';

import { WEBHOOK_STATUSES } from './webhooks.js';
import type { WebhookDelivery, WebhookDispatcher, WebhookFilter, WebhookStatus } from './webhooks.js';

/** Where {@link webhookRoutes} is meant to be mounted: no vendor's base path starts with `/_mock`. */
export const WEBHOOK_ROUTES_PATH = '/_mock/webhooks';

/** A delivery as the HTTP log shows it: the raw body as the UTF-8 text it is (it is JSON). */
export type WebhookDeliveryJson = Omit<WebhookDelivery, 'rawBody'> & { body: string };

export function deliveryToJson(delivery: WebhookDelivery): WebhookDeliveryJson {
  const { rawBody, ...rest } = delivery;
  return { ...rest, body: rawBody.toString('utf8') };
}

/**
 * The delivery log over HTTP, for people driving the mock from a shell:
 * - `GET /` lists kept deliveries, oldest first: `{ deliveries: [...] }`; `?api=`, `?status=` and
 *   `?url=` filter (an unknown status is a 400).
 * - `GET /:id` answers one delivery, or 404.
 * Errors are `{ error: message }`.
 */
export function webhookRoutes(dispatcher: WebhookDispatcher): Router {
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
      if (name === 'status' && !(WEBHOOK_STATUSES as readonly string[]).includes(value)) {
        res.status(400).json({ error: `status must be one of ${WEBHOOK_STATUSES.join(', ')}, got ${JSON.stringify(value)}` });
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
