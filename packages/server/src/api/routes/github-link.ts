import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Logger } from '../../log.js';
import type { PeopleDirectory } from '../../auth/people-directory.js';
import { PendingLogins, PENDING_LOGIN_TTL_MS } from '../../auth/providers/pending-logins.js';
import {
  safeReturnTo,
  SignInFailed,
  type AuthProvider,
  type PendingLogin,
} from '../../auth/providers/provider.js';
import { ApiError } from '../errors.js';

/** Carries the key of a link under way from /link to /link/callback. */
const LINK_COOKIE = 'nightshift_github_link';
export const GITHUB_LINK_PATH = '/api/auth/github/link';

export interface GitHubLinkRoutesDeps {
  /** GitHub's OAuth flow (the sign-in provider's, with the deployment's GitHub OAuth client). */
  provider: AuthProvider;
  directory: PeopleDirectory;
  /** NIGHTSHIFT_PUBLIC_URL; without it, the origin the request came to. */
  publicUrl: string | null;
  log: Logger;
}

/**
 * `GET /api/auth/github/link`, its callback, and `DELETE /api/auth/github/link`: someone signed
 * in with OIDC links their GitHub account, so pull requests are opened with their token. Both
 * GETs need the session cookie (GitHub's redirect back is a top-level navigation, which carries
 * the Lax cookie), and the link is kept for the person who started it only.
 */
export function githubLinkRoutes(deps: GitHubLinkRoutesDeps): Hono {
  const app = new Hono();
  const pending = new PendingLogins<PendingLogin & { personId: string }>();

  app.get('/', async (c) => {
    const personId = signedInPerson(c);
    const returnTo = safeReturnTo(c.req.query('returnTo'));
    let redirectTo: string;
    try {
      const begun = await deps.provider.begin(callbackUrl(c, deps.publicUrl), returnTo);
      redirectTo = begun.redirectTo;
      setCookie(c, LINK_COOKIE, pending.put({ ...begun.pending, personId }), {
        httpOnly: true,
        sameSite: 'Lax',
        path: GITHUB_LINK_PATH,
        secure: new URL(deps.publicUrl ?? c.req.url).protocol === 'https:',
        maxAge: PENDING_LOGIN_TTL_MS / 1000,
      });
    } catch (err) {
      return refuse(c, deps.log, returnTo, err);
    }
    return c.redirect(redirectTo, 302);
  });

  app.get('/callback', async (c) => {
    const personId = signedInPerson(c);
    const link = pending.take(getCookie(c, LINK_COOKIE));
    deleteCookie(c, LINK_COOKIE, { path: GITHUB_LINK_PATH });
    if (!link || link.personId !== personId) {
      return refuse(
        c,
        deps.log,
        link?.returnTo ?? '/',
        new SignInFailed('this link has expired or was already used; start again'),
      );
    }
    const callback = callbackUrl(c, deps.publicUrl);
    try {
      const currentUrl = new URL(callback);
      currentUrl.search = new URL(c.req.url).search;
      const identity = await deps.provider.complete(callback, currentUrl, link);
      if (!identity.githubLogin || !identity.githubToken) throw new SignInFailed('GitHub named no account');
      const result = await deps.directory.linkGitHub(personId, {
        login: identity.githubLogin,
        token: identity.githubToken,
      });
      if (!result.ok) {
        deps.log.info({ personId, githubLogin: identity.githubLogin }, 'GitHub link refused');
        return withError(c, link.returnTo, result.message);
      }
      deps.log.info({ personId, githubLogin: identity.githubLogin }, 'GitHub account linked');
      return c.redirect(link.returnTo, 302);
    } catch (err) {
      return refuse(c, deps.log, link.returnTo, err);
    }
  });

  app.delete('/', async (c) => {
    const personId = signedInPerson(c);
    await deps.directory.unlinkGitHub(personId);
    deps.log.info({ personId }, 'GitHub account unlinked');
    return c.body(null, 204);
  });

  return app;
}

/** A linked account belongs to a person: local mode has none to link. */
function signedInPerson(c: Context): string {
  const principal = c.get('principal');
  if (principal.kind !== 'person') {
    throw new ApiError(404, 'not_found', 'linking a GitHub account needs team mode (NIGHTSHIFT_AUTH=oidc)');
  }
  return principal.person.id;
}

function callbackUrl(c: Context, publicUrl: string | null): string {
  const base = publicUrl ?? new URL(c.req.url).origin;
  return `${base.replace(/\/+$/, '')}${GITHUB_LINK_PATH}/callback`;
}

function refuse(c: Context, log: Logger, returnTo: string, err: unknown): Response {
  if (err instanceof SignInFailed) {
    log.warn({ err: err.cause ?? err, reason: err.message }, 'GitHub link failed');
    return withError(c, returnTo, err.message);
  }
  log.error({ err }, 'GitHub link failed unexpectedly');
  return withError(c, returnTo, 'something went wrong while linking your GitHub account; start again');
}

/** Back where the person was, saying why, as a refused sign-in does on the sign-in page. */
function withError(c: Context, returnTo: string, message: string): Response {
  const target = new URL(returnTo, 'http://nightshift.invalid');
  target.searchParams.set('error', 'sign_in_failed');
  target.searchParams.set('message', message.replace(/\s+/g, ' ').trim());
  return c.redirect(`${target.pathname}${target.search}${target.hash}`, 302);
}
