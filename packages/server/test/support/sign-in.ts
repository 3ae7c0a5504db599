/**
 * The real sign-in over HTTP, as a browser does it: /api/auth/login → the identity provider's
 * login (the testkit issuer's form, or the testkit GitHub's authorize page) → our callback,
 * carrying cookies for each origin and following every redirect by hand.
 */
import type { GitHubServer, OidcIssuer } from '@nightshift/testkit';

export type SignInVia =
  { via: 'oidc'; issuer: OidcIssuer; email: string } | { via: 'github'; github: GitHubServer; login: string };

export interface SignedIn {
  /** `nightshift_session=<value>`, ready for a Cookie header; null when the sign-in was refused. */
  cookie: string | null;
  /** The callback's answer (a 302 to returnTo, or to /sign-in?error=…). */
  response: Response;
  /** Its Location, resolved against the server. */
  location: URL;
}

/** Signs in and returns the session cookie; throws when no session came of it. */
export async function signIn(
  serverUrl: string,
  how: SignInVia,
  returnTo?: string,
): Promise<SignedIn & { cookie: string }> {
  const result = await attemptSignIn(serverUrl, how, returnTo);
  if (!result.cookie) throw new Error(`sign-in refused: ${result.location.href}`);
  return result as SignedIn & { cookie: string };
}

/** The whole trip, whatever its outcome. */
export async function attemptSignIn(serverUrl: string, how: SignInVia, returnTo?: string): Promise<SignedIn> {
  const trip = await reachCallback(serverUrl, how, returnTo);
  return trip.callback();
}

export interface CallbackTrip {
  /** The provider's redirect back to us, not yet followed. */
  callbackUrl: URL;
  jar: CookieJar;
  /** The `nightshift_login` cookie /api/auth/login set, which the callback clears. */
  loginCookie: string;
  /** Follows it (or `url` instead) with the browser's cookies; `loginCookie` puts that one back first, as a replay would. */
  callback(url?: URL, options?: { loginCookie?: string }): Promise<SignedIn>;
}

/** Drives the sign-in up to the provider's redirect back to the server, and stops there. */
export async function reachCallback(
  serverUrl: string,
  how: SignInVia,
  returnTo?: string,
): Promise<CallbackTrip> {
  const jar = new CookieJar();
  const server = new URL(serverUrl);
  const login = new URL('/api/auth/login', server);
  if (returnTo !== undefined) login.searchParams.set('returnTo', returnTo);
  let response = await jar.fetch(login);
  let url = login;
  for (let hops = 0; hops < 20; hops++) {
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url);
      if (next.origin === server.origin) {
        if (next.pathname !== '/api/auth/callback') {
          throw new Error(`the sign-in ended before the provider: ${next.href}`);
        }
        const loginCookie = jar.get(server, 'nightshift_login') ?? '';
        return {
          callbackUrl: next,
          jar,
          loginCookie,
          callback: async (at = next, options = {}) => {
            if (options.loginCookie !== undefined) jar.set(server, 'nightshift_login', options.loginCookie);
            const answer = await jar.fetch(at);
            const cookie = jar.get(server, 'nightshift_session');
            return {
              cookie: cookie && setsSession(answer) ? `nightshift_session=${cookie}` : null,
              response: answer,
              location: new URL(answer.headers.get('location') ?? '/', server),
            };
          },
        };
      }
      if (how.via === 'github' && next.pathname.endsWith('/login/oauth/authorize')) {
        next.searchParams.set('login', how.login);
      }
      url = next;
      response = await jar.fetch(url);
      continue;
    }
    if (response.status === 200 && how.via === 'oidc' && url.pathname.startsWith('/interaction/')) {
      const html = await response.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`no login form at ${url.href}`);
      url = new URL(
        action.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(Number(code))),
        url,
      );
      response = await jar.fetch(url, { method: 'POST', body: new URLSearchParams({ email: how.email }) });
      if (response.status === 401) throw new Error(`the issuer refused ${how.email}`);
      continue;
    }
    throw new Error(`unexpected ${response.status} at ${url.href}: ${(await response.text()).slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

/** A session cookie set with a value (not cleared) by this answer. */
function setsSession(response: Response): boolean {
  return response.headers
    .getSetCookie()
    .some((c) => c.startsWith('nightshift_session=') && !c.startsWith('nightshift_session=;'));
}

/** Cookies per origin, as much of RFC 6265 as these flows need (names, values, deletion). */
export class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  get(origin: URL, name: string): string | undefined {
    return this.byOrigin.get(origin.host)?.get(name);
  }

  set(origin: URL, name: string, value: string): void {
    if (!this.byOrigin.has(origin.host)) this.byOrigin.set(origin.host, new Map());
    this.byOrigin.get(origin.host)!.set(name, value);
  }

  header(url: URL): string {
    return [...(this.byOrigin.get(url.host) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }

  async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(url, response);
    return response;
  }

  private store(url: URL, response: Response): void {
    let cookies = this.byOrigin.get(url.host);
    if (!cookies) this.byOrigin.set(url.host, (cookies = new Map()));
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  }
}
