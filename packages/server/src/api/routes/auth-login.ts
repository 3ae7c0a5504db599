import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Logger } from '../../log.js';
import type { SignInCompleter } from '../../auth/sign-in.js';
import { sessionCookieHeader } from '../../auth/session-cookie.js';
import { PendingLogins, PENDING_LOGIN_TTL_MS } from '../../auth/providers/pending-logins.js';
import { safeReturnTo, SignInFailed, type AuthProvider } from '../../auth/providers/provider.js';

/** Carries the key of a sign-in under way from /login to /callback; the rest stays on the server. */
export const LOGIN_COOKIE = 'nightshift_login';
const LOGIN_COOKIE_PATH = '/api/auth';

export interface SignInRoutesDeps {
  provider: AuthProvider;
  signIn: SignInCompleter;
  /** NIGHTSHIFT_PUBLIC_URL; without it, the origin the request came to. */
  publicUrl: string | null;
  log: Logger;
  pending?: PendingLogins;
}

/** GET /api/auth/login and /api/auth/callback: the browser's trip through the identity provider. */
export function signInRoutes(deps: SignInRoutesDeps): Hono {
  const app = new Hono();
  const pending = deps.pending ?? new PendingLogins();

  app.get('/login', async (c) => {
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    let redirectTo: string;
    try {
      const begun = await deps.provider.begin(callbackUrl(c, deps.publicUrl), returnTo);
      redirectTo = begun.redirectTo;
      setCookie(c, LOGIN_COOKIE, pending.put(begun.pending), {
        httpOnly: true,
        sameSite: 'Lax',
        path: LOGIN_COOKIE_PATH,
        secure: isHttps(c, deps.publicUrl),
        maxAge: PENDING_LOGIN_TTL_MS / 1000,
      });
    } catch (err) {
      return refuse(c, deps.log, err);
    }
    return c.redirect(redirectTo, 302);
  });

  app.get('/callback', async (c) => {
    const login = pending.take(getCookie(c, LOGIN_COOKIE));
    deleteCookie(c, LOGIN_COOKIE, { path: LOGIN_COOKIE_PATH });
    if (!login) {
      return refuse(
        c,
        deps.log,
        new SignInFailed('this sign-in has expired or was already used; start again'),
      );
    }
    const callback = callbackUrl(c, deps.publicUrl);
    try {
      const currentUrl = new URL(callback);
      currentUrl.search = new URL(c.req.url).search;
      const identity = await deps.provider.complete(callback, currentUrl, login);
      const result = await deps.signIn.completeSignIn(identity);
      if (!result.ok) {
        deps.log.info({ email: identity.email, code: result.code }, 'sign-in refused');
        return signInPage(c, result.code, result.message);
      }
      c.header(
        'set-cookie',
        sessionCookieHeader(result.cookieValue, { secure: isHttps(c, deps.publicUrl) }),
        {
          append: true,
        },
      );
      deps.log.info({ personId: result.person.id, via: deps.provider.kind }, 'signed in');
      return c.redirect(login.returnTo, 302);
    } catch (err) {
      return refuse(c, deps.log, err);
    }
  });

  return app;
}

function callbackUrl(c: Context, publicUrl: string | null): string {
  const base = publicUrl ?? new URL(c.req.url).origin;
  return `${base.replace(/\/+$/, '')}/api/auth/callback`;
}

function isHttps(c: Context, publicUrl: string | null): boolean {
  return new URL(publicUrl ?? c.req.url).protocol === 'https:';
}

/** A sign-in that did not work ends on the sign-in page saying why, never on an error page. */
function refuse(c: Context, log: Logger, err: unknown): Response {
  if (err instanceof SignInFailed) {
    log.warn({ err: err.cause ?? err, reason: err.message }, 'sign-in failed');
    return signInPage(c, 'sign_in_failed', err.message);
  }
  log.error({ err }, 'sign-in failed unexpectedly');
  return signInPage(c, 'sign_in_failed', 'something went wrong while signing in; start again');
}

function signInPage(c: Context, code: 'forbidden' | 'sign_in_failed', message: string): Response {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return c.redirect(`/sign-in?error=${code}&message=${encodeURIComponent(oneLine)}`, 302);
}
