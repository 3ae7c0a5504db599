import { Hono } from 'hono';
import { CreateTokenBody, TokenListQuery } from '@nightshift/protocol';
import type { ApiTokenService } from '../../auth/api-tokens.js';
import type { Person, Principal } from '../../auth/principal.js';
import { Forbidden } from '../../sessions/errors.js';
import { ApiError } from '../errors.js';
import { readBody, readQuery } from '../validate.js';

/** API tokens: `POST /api/tokens`, `GET /api/tokens[?all=1]`, `DELETE /api/tokens/:id`. */
export function tokenRoutes(tokens: ApiTokenService): Hono {
  const app = new Hono();

  app.post('/', async (c) => {
    const person = signedIn(c.get('principal'));
    const { name } = await readBody(c, CreateTokenBody);
    return c.json(await tokens.create(person, name), 201);
  });

  app.get('/', async (c) => {
    const person = signedIn(c.get('principal'));
    const { all } = readQuery(c, TokenListQuery);
    if (all === '1' && person.role !== 'admin')
      throw new Forbidden("all=1: only an admin sees everyone's tokens", 'admin_only');
    return c.json({ tokens: await tokens.list(person, all === '1') });
  });

  app.delete('/:id', async (c) => {
    await tokens.revoke(signedIn(c.get('principal')), c.req.param('id'));
    return c.body(null, 204);
  });

  return app;
}

/** Tokens belong to people; in local mode nobody signs in, so there is nothing to hold one. */
function signedIn(principal: Principal): Person {
  if (principal.kind === 'person') return principal.person;
  throw new ApiError(
    400,
    'team_mode_only',
    'API tokens exist only in team mode (NIGHTSHIFT_AUTH=oidc or github)',
  );
}
