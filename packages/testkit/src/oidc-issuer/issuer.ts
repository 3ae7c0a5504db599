/**
 * A real OpenID Connect issuer for tests: `oidc-provider` (the certified implementation) on
 * 127.0.0.1, with a login page of its own instead of the library's development screens, so the
 * same login is completed by a script posting a form or by Chromium clicking "Sign in".
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { loginPage } from './login-page.js';

export interface OidcAccount {
  email: string;
  name: string;
  /** Default true; `'absent'` leaves the claim out, as some directories do. */
  emailVerified?: boolean | 'absent';
  /** Default: derived from the email. */
  subject?: string;
}

export interface OidcClientRegistration {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs; when absent any http(s) loopback URI is accepted (test servers' ports vary). */
  redirectUris?: string[];
}

export interface OidcIssuerOptions {
  accounts: OidcAccount[];
  /** Default: one client, `nightshift-test` / a random secret, any loopback redirect. */
  clients?: OidcClientRegistration[];
}

export interface OidcIssuer {
  /** The issuer identifier, `http://127.0.0.1:<port>`, for NIGHTSHIFT_OIDC_ISSUER. */
  url: string;
  /** The first registered client. */
  clientId: string;
  clientSecret: string;
  readonly accounts: OidcAccount[];
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const clients = options.clients ?? [
    { clientId: 'nightshift-test', clientSecret: randomBytes(24).toString('hex') },
  ];
  const accounts = options.accounts;
  const bySubject = (sub: string) => accounts.find((a) => subjectOf(a) === sub);

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      // Placeholder when any loopback URI is accepted; redirectUriAllowed below decides.
      redirect_uris: c.redirectUris ?? ['http://127.0.0.1/api/auth/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    jwks: { keys: [{ ...signingKey, kid: 'testkit', alg: 'RS256', use: 'sig' } as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      AccessToken: 600,
      IdToken: 600,
    },
    interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
    // A first-party test issuer: the scopes asked for are granted without a consent screen.
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, sub) => {
      const account = bySubject(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          email: account.email,
          ...(account.emailVerified === 'absent' ? {} : { email_verified: account.emailVerified ?? true }),
          name: account.name,
          preferred_username: account.email.split('@')[0],
        }),
      };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = `<!doctype html><title>error</title><h1>${out.error}</h1><p>${out.error_description ?? ''}</p>`;
    },
  };
  const provider = new Provider(url, configuration);
  const registered = new Map(clients.map((c) => [c.clientId, c]));
  const redirectUriAllowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function (this: { clientId: string }, redirectUri: string) {
    if (registered.get(this.clientId)?.redirectUris) return redirectUriAllowed.call(this, redirectUri);
    try {
      const u = new URL(redirectUri);
      return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
    } catch {
      return false;
    }
  };
  const oidc = provider.callback();

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)(\/login)?(?:\?|$)/.exec(req.url ?? '');
    if (!match) {
      oidc(req, res);
      return;
    }
    void handleInteraction(provider, accounts, req, res, match[2] !== undefined).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });

  return {
    url,
    clientId: clients[0]!.clientId,
    clientSecret: clients[0]!.clientSecret,
    accounts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function subjectOf(account: OidcAccount): string {
  return account.subject ?? `sub-${account.email.toLowerCase()}`;
}

async function handleInteraction(
  provider: Provider,
  accounts: OidcAccount[],
  req: http.IncomingMessage,
  res: http.ServerResponse,
  submitted: boolean,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = `/interaction/${details.uid}/login`;
  if (!submitted || req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(action));
    return;
  }
  const email = new URLSearchParams(await readBody(req)).get('email')?.trim() ?? '';
  const account = accounts.find((a) => a.email.toLowerCase() === email.toLowerCase());
  if (!account) {
    res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(action, { error: `No account with the email ${email}.`, email }));
    return;
  }
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: subjectOf(account) } },
    {
      mergeWithLastSubmission: false,
    },
  );
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
