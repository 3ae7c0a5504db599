import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { MAX_DELIVERY_BYTES, type WebhookReceiver } from '../../github/webhooks/receiver.js';
import { ApiError } from '../errors.js';

export const GITHUB_WEBHOOK_PATH = '/api/github/webhook';

/**
 * `POST /api/github/webhook`: GitHub's deliveries. Public (GitHub signs them; the receiver
 * checks), answered before their work is done: 202 for a delivery accepted or an event not acted
 * on, 200 `duplicate` for an id seen before, 401 for a bad signature.
 */
export function githubWebhookRoutes(receiver: WebhookReceiver): Hono {
  const app = new Hono();

  app.post(
    '/',
    bodyLimit({
      maxSize: MAX_DELIVERY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `body: must be at most ${MAX_DELIVERY_BYTES} bytes`);
      },
    }),
    async (c) => {
      const outcome = await receiver.receive({
        id: c.req.header('x-github-delivery'),
        event: c.req.header('x-github-event'),
        signature: c.req.header('x-hub-signature-256'),
        rawBody: await c.req.text(),
      });
      switch (outcome.kind) {
        case 'bad_signature':
          throw new ApiError(401, 'bad_signature', outcome.message);
        case 'bad_request':
          throw new ApiError(400, 'invalid_request', outcome.message);
        case 'duplicate':
          return c.json({ ok: true, duplicate: true }, 200);
        case 'ignored':
          return c.json({ ok: true, ignored: outcome.event }, 202);
        case 'accepted':
          return c.json({ ok: true }, 202);
      }
    },
  );

  return app;
}
