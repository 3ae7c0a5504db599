import { Hono } from 'hono';
import type { Me } from '@nightshift/protocol';
import type { AuthServices } from '../../auth/auth-services.js';
import { sessionCookieHeader, sessionCookieValue } from '../../auth/session-cookie.js';

/** `GET /api/me`: who this request acts for. */
export function meRoutes(): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const principal = c.get('principal');
    const me: Me =
      principal.kind === 'local'
        ? { mode: 'local', person: null }
        : { mode: 'team', person: principal.person };
    return c.json(me);
  });
  return app;
}

/** `POST /api/auth/logout`: the browser session ends on the server, and its cookie is cleared. */
export function logoutRoutes(auth: AuthServices): Hono {
  const app = new Hono();
  app.post('/logout', async (c) => {
    const principal = c.get('principal');
    const cookie = sessionCookieValue(c.req.header('cookie'));
    if (principal.kind === 'person' && principal.via === 'cookie' && cookie !== undefined) {
      await auth.directory.signOut(cookie);
    }
    if (auth.authenticator.teamMode) {
      c.header('set-cookie', sessionCookieHeader(null, { secure: auth.secureCookies() }));
    }
    return c.body(null, 204);
  });
  return app;
}
