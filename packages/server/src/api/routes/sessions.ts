import { Hono } from 'hono';
import { CreateSessionBody, SessionListQuery } from '@nightshift/protocol';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import { readBody, readQuery } from '../validate.js';
import { NotFound } from '../../sessions/errors.js';
import { requireRepoAllowed } from '../../auth/repo-access.js';
import type { GitHubCodeHost } from '../../github/github-code-host.js';
import { sessionRepoFor } from '../../github/session-repos.js';

/**
 * `allowedRepos`: NIGHTSHIFT_ALLOWED_REPOS, what team mode may create sessions on, besides the
 * repositories the GitHub App is installed on (`host`).
 */
export function sessionRoutes(
  registry: SessionRegistry,
  allowedRepos: readonly string[],
  host: GitHubCodeHost | null = null,
): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const body = await readBody(c, CreateSessionBody);
    const repo = await sessionRepoFor(host, body.repo);
    requireRepoAllowed(c.get('principal'), repo, allowedRepos, (r) => host?.isKnownInstalled(r) ?? false);
    return c.json(await registry.create({ ...body, repo }), 201);
  });

  app.get('/', async (c) => {
    const { status } = readQuery(c, SessionListQuery);
    return c.json({ sessions: await registry.list(status) });
  });

  app.get('/:id', async (c) => {
    const session = await registry.view(c.req.param('id'));
    if (!session) throw new NotFound(`session ${c.req.param('id')}`);
    return c.json(session);
  });

  app.post('/:id/archive', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    return c.json(await actor.archive());
  });

  app.post('/:id/unarchive', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    return c.json(await actor.unarchive());
  });

  app.delete('/:id', async (c) => {
    await registry.delete(c.req.param('id'));
    return c.body(null, 204);
  });

  app.post('/:id/warm', async (c) => {
    const actor = await registry.require(c.req.param('id'));
    await actor.warm();
    return c.json({ ok: true }, 202);
  });

  return app;
}
