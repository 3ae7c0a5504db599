import type { MiddlewareHandler } from 'hono';
import './hono-context.js';
import { isPublicRoute, type RequestAuthenticator } from '../auth/request-auth.js';

/**
 * Sets `principal` on every /api/* request before its route runs; a refusal (401, 403) is thrown
 * to the app's error handler. Public routes in team mode run with no principal: they are the ones
 * that sign people in, or check a signature of their own.
 */
export function authMiddleware(authenticator: RequestAuthenticator): MiddlewareHandler {
  return async (c, next) => {
    if (!authenticator.teamMode) {
      c.set('principal', { kind: 'local' });
      return next();
    }
    if (isPublicRoute(c.req.method, c.req.path)) return next();
    const principal = await authenticator.principalFor({
      method: c.req.method,
      path: c.req.path,
      authorization: c.req.header('authorization'),
      cookie: c.req.header('cookie'),
      origin: c.req.header('origin'),
      secFetchSite: c.req.header('sec-fetch-site'),
    });
    c.set('principal', principal);
    return next();
  };
}
