import { Hono } from 'hono';
import { PromptBody, StopBody } from '@nightshift/protocol';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import { readBody } from '../validate.js';
import { principalAuthor } from '../../auth/principal.js';

export function promptRoutes(registry: SessionRegistry): Hono {
  const app = new Hono();

  app.post('/:id/prompts', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    const body = await readBody(c, PromptBody);
    // In team mode the prompt is the signed-in person's, whatever the body claims.
    const author = principalAuthor(c.get('principal')) ?? body.author;
    return c.json(await actor.submit({ ...body, author }), 202);
  });

  app.get('/:id/messages', async (c) => {
    return c.json({ messages: await registry.messages(c.req.param('id')) });
  });

  app.delete('/:id/prompts/:messageId', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    return c.json(await actor.cancel(c.req.param('messageId')));
  });

  app.post('/:id/stop', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    const body = await readBody(c, StopBody);
    await actor.stop(body.clearQueue ?? false);
    return c.json({ ok: true }, 202);
  });

  return app;
}
