import type { AuthMode } from '../config.js';
import { Forbidden, Unauthenticated } from '../sessions/errors.js';
import type { ApiTokenService } from './api-tokens.js';
import { readBearer } from './credentials.js';
import type { PeopleDirectory } from './people-directory.js';
import type { Principal } from './principal.js';
import { cookieRequestAllowed } from './same-origin.js';
import { sessionCookieValue } from './session-cookie.js';

/** What of a request (HTTP or a WebSocket handshake) decides who it acts for. */
export interface RequestFacts {
  method: string;
  path: string;
  authorization: string | undefined;
  cookie: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

/** Reachable without signing in: how to sign in, whether to, and receivers that check their own signatures. */
export function isPublicRoute(method: string, path: string): boolean {
  if (path === '/api/health') return method === 'GET' || method === 'HEAD';
  return (
    path === '/api/auth/login' ||
    path === '/api/auth/callback' ||
    path === '/api/github/webhook' ||
    path.startsWith('/api/slack/')
  );
}

/**
 * Who a request acts for. Local mode: the person at the machine, no questions. Team mode: an
 * API token (`Authorization: Bearer`), else the browser session cookie; neither, or a bad one, is
 * Unauthenticated; someone no longer allowed, or a cookie write from another origin, Forbidden.
 */
export class RequestAuthenticator {
  constructor(
    readonly mode: AuthMode,
    private readonly directory: PeopleDirectory,
    private readonly tokens: ApiTokenService,
    /** The origins browsers use (NIGHTSHIFT_PUBLIC_URL, else the listen URL's on loopback). */
    private readonly publicOrigins: () => readonly string[],
  ) {}

  get teamMode(): boolean {
    return this.mode !== 'none';
  }

  /** `upgrade`: a WebSocket handshake, whose cookie needs a same-origin page behind it. */
  async principalFor(req: RequestFacts, options: { upgrade?: boolean } = {}): Promise<Principal> {
    if (!this.teamMode) return { kind: 'local' };
    const bearer = readBearer(req.authorization);
    if (bearer.kind === 'malformed') {
      throw new Unauthenticated(
        'the Authorization header is not "Bearer nst_…" with a well-formed API token',
      );
    }
    if (bearer.kind === 'token') {
      // No ambient authority: a page on another site cannot make a browser send this header.
      const { personId, tokenId } = await this.tokens.resolve(bearer.token);
      const person = await this.directory.currentPerson(personId);
      return { kind: 'person', person, via: 'token', tokenId };
    }
    const cookie = sessionCookieValue(req.cookie);
    if (cookie === undefined || cookie === '') throw new Unauthenticated();
    const person = await this.directory.personForCookie(cookie);
    if (!cookieRequestAllowed(req, this.publicOrigins(), options.upgrade)) {
      throw new Forbidden(
        "cross-origin request refused: a signed-in browser may only write from this server's own pages",
      );
    }
    return { kind: 'person', person, via: 'cookie' };
  }
}
