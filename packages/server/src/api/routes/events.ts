import { Hono } from 'hono';
import { EventsQuery } from '@nightshift/protocol';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import type { RealtimeHub } from '../../realtime/hub.js';
import { streamTimeline, type SseOptions } from '../../realtime/sse.js';
import { readQuery } from '../validate.js';
import { ApiError, notFound } from '../errors.js';
import { toSessionEvent } from '../present.js';

export function eventRoutes(registry: SessionRegistry, hub: RealtimeHub, sse: SseOptions): Hono {
  const app = new Hono();

  app.get('/:id/events', async (c) => {
    const { after, limit } = readQuery(c, EventsQuery);
    const id = c.req.param('id');
    if (!(await registry.store.sessions.get(id))) throw notFound(`session ${id}`);
    const events = await registry.store.events.list(id, after ?? 0, limit ?? 1000);
    return c.json({ events: events.map(toSessionEvent) });
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
    return streamTimeline(c, id, from, registry.store.events, hub, sse);
  });

  app.get('/:id/artifacts', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    return c.json({ artifacts: await registry.store.artifacts.list(actor.id) });
  });

  return app;
}
