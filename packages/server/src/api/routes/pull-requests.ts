import { Hono } from 'hono';
import { PullRequestBody } from '@nightshift/protocol';
import type { PullRequestService } from '../../github/pull-requests.js';
import { readBody } from '../validate.js';

/** `POST /api/sessions/:id/pull-request`: 201 with a new pull request, 200 with the open one. */
export function pullRequestRoutes(pullRequests: PullRequestService): Hono {
  const app = new Hono();
  app.post('/:id/pull-request', async (c) => {
    const body = await readBody(c, PullRequestBody);
    const { created, pullRequest } = await pullRequests.open(c.req.param('id'), c.get('principal'), body);
    return c.json(pullRequest, created ? 201 : 200);
  });
  return app;
}
