import * as client from 'openid-client';
import type { SignedInIdentity } from '../../sign-in.js';
import { isLoopbackUrl, oneLine, SignInFailed, type AuthProvider, type PendingLogin } from '../provider.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Null for a public client (PKCE alone). */
  clientSecret: string | null;
}

const SCOPES = 'openid email profile';

/**
 * Any OpenID Connect provider, by discovery. openid-client does the protocol: PKCE, state, nonce,
 * the ID token's signature, issuer, audience and expiry.
 */
export class OidcProvider implements AuthProvider {
  readonly kind = 'oidc';
  readonly buttonLabel = 'Sign in with SSO';
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings) {}

  async begin(callbackUrl: string, returnTo: string): Promise<{ redirectTo: string; pending: PendingLogin }> {
    const config = await this.configuration();
    const pending: PendingLogin = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      pkceVerifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: callbackUrl,
      scope: SCOPES,
      state: pending.state,
      nonce: pending.nonce!,
      code_challenge: await client.calculatePKCECodeChallenge(pending.pkceVerifier),
      code_challenge_method: 'S256',
    });
    return { redirectTo: url.href, pending };
  }

  async complete(callbackUrl: string, currentUrl: URL, pending: PendingLogin): Promise<SignedInIdentity> {
    const config = await this.configuration();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(
        config,
        currentUrl,
        {
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          pkceCodeVerifier: pending.pkceVerifier,
        },
        { redirect_uri: callbackUrl },
      );
    } catch (err) {
      throw new SignInFailed(`the identity provider's answer was not accepted: ${oneLine(err)}`, {
        cause: err,
      });
    }
    const idClaims = tokens.claims();
    if (!idClaims) throw new SignInFailed('the identity provider sent no ID token');
    // Many providers (Okta, oidc-provider) put email and profile claims only in userinfo when an
    // access token comes with the ID token; ask there when the ID token lacks them.
    const claims: Record<string, unknown> =
      typeof idClaims.email === 'string'
        ? idClaims
        : {
            ...idClaims,
            ...(await client
              .fetchUserInfo(config, tokens.access_token, idClaims.sub)
              .catch((err: unknown) => {
                throw new SignInFailed(
                  `could not read the profile from the identity provider: ${oneLine(err)}`,
                  {
                    cause: err,
                  },
                );
              })),
          };
    return identityFromClaims(claims);
  }

  /** Discovery runs on first use and is kept once it works; a failure is retried next time. */
  private configuration(): Promise<client.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      throw err;
    });
    return this.discovered;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const insecure = issuer.protocol === 'http:' && isLoopbackUrl(issuer);
    try {
      return await client.discovery(
        issuer,
        this.settings.clientId,
        this.settings.clientSecret ?? undefined,
        this.settings.clientSecret ? client.ClientSecretPost() : client.None(),
        insecure ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    } catch (err) {
      throw new SignInFailed(`the identity provider at ${issuer.href} cannot be reached: ${oneLine(err)}`, {
        cause: err,
      });
    }
  }
}

/** The person the claims describe; an email the provider says is unverified is refused. */
export function identityFromClaims(claims: Record<string, unknown>): SignedInIdentity {
  const email = typeof claims.email === 'string' ? claims.email.trim() : '';
  if (!email) throw new SignInFailed('the identity provider did not say what your email address is');
  // A provider that never sends email_verified vouches for every address it gives out (a
  // company directory, say), so its silence is trust; only an explicit false is refused.
  if (claims.email_verified === false || claims.email_verified === 'false') {
    throw new SignInFailed(`your email address ${email} is not verified with the identity provider`);
  }
  const name = [claims.name, claims.preferred_username].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  return {
    subject: String(claims.sub),
    email,
    emailVerified: true,
    name: name?.trim() ?? email,
  };
}
