import { Hono } from 'hono';
import { EventsQuery } from '@nightshift/protocol';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import type { RealtimeHub } from '../../realtime/hub.js';
import { streamTimeline, type SseOptions } from '../../realtime/sse.js';
import { readQuery } from '../validate.js';
import { ApiError } from '../errors.js';

export function eventRoutes(registry: SessionRegistry, hub: RealtimeHub, sse: SseOptions): Hono {
  const app = new Hono();

  app.get('/:id/events', async (c) => {
    const { after, limit } = readQuery(c, EventsQuery);
    return c.json({ events: await registry.events(c.req.param('id'), after ?? 0, limit ?? 1000) });
  });

  app.get('/:id/events/stream', async (c) => {
    const { after } = readQuery(c, EventsQuery);
    const id = c.req.param('id');
    const lastEventId = c.req.header('last-event-id');
    let from = after ?? 0;
    if (lastEventId !== undefined && lastEventId.trim() !== '') {
      const parsed = Number(lastEventId);
      if (!Number.isInteger(parsed) || parsed < 0) {
        throw new ApiError(400, 'invalid_request', 'Last-Event-ID: must be a whole number (an event seq)');
      }
      from = parsed;
    }
    // Make sure the session's actor is live, so events it writes reach this stream.
    await registry.require(id);
    return streamTimeline(c, id, from, registry, hub, sse);
  });

  app.get('/:id/artifacts', async (c) => {
    return c.json({ artifacts: await registry.artifacts(c.req.param('id')) });
  });

  return app;
}
