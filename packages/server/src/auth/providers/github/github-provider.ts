import * as client from 'openid-client';
import type { SignedInIdentity } from '../../sign-in.js';
import { isLoopbackUrl, oneLine, SignInFailed, type AuthProvider, type PendingLogin } from '../provider.js';
import { githubClient, noreplyEmail, readGitHubAccount } from './github-api.js';

export interface GitHubSettings {
  clientId: string;
  clientSecret: string;
  /** `https://api.github.com`, or a GitHub Enterprise Server's `/api/v3`. */
  apiUrl: string;
  /** `https://github.com`, or the GitHub Enterprise Server. */
  webUrl: string;
}

/** read:org lists the organisations whose membership is private too, for the allow-list. */
const SCOPES = 'read:user user:email read:org';

/**
 * GitHub's OAuth web flow. GitHub is plain OAuth 2 (no discovery, no ID token), so openid-client
 * is given its endpoints by hand; who signed in comes from the REST API.
 */
export class GitHubProvider implements AuthProvider {
  readonly kind = 'github';
  readonly buttonLabel = 'Sign in with GitHub';
  private readonly config: client.Configuration;

  constructor(private readonly settings: GitHubSettings) {
    const web = settings.webUrl.replace(/\/+$/, '');
    this.config = new client.Configuration(
      {
        issuer: web,
        authorization_endpoint: `${web}/login/oauth/authorize`,
        token_endpoint: `${web}/login/oauth/access_token`,
      },
      settings.clientId,
      settings.clientSecret,
    );
    if (new URL(web).protocol === 'http:' && isLoopbackUrl(new URL(web)))
      client.allowInsecureRequests(this.config);
  }

  async begin(callbackUrl: string, returnTo: string): Promise<{ redirectTo: string; pending: PendingLogin }> {
    const pending: PendingLogin = {
      state: client.randomState(),
      pkceVerifier: client.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = client.buildAuthorizationUrl(this.config, {
      redirect_uri: callbackUrl,
      scope: SCOPES,
      state: pending.state,
      code_challenge: await client.calculatePKCECodeChallenge(pending.pkceVerifier),
      code_challenge_method: 'S256',
      allow_signup: 'false',
    });
    return { redirectTo: url.href, pending };
  }

  async complete(callbackUrl: string, currentUrl: URL, pending: PendingLogin): Promise<SignedInIdentity> {
    let accessToken: string;
    try {
      const tokens = await client.authorizationCodeGrant(
        this.config,
        currentUrl,
        { expectedState: pending.state, pkceCodeVerifier: pending.pkceVerifier },
        { redirect_uri: callbackUrl },
      );
      accessToken = tokens.access_token;
    } catch (err) {
      throw new SignInFailed(`GitHub's answer was not accepted: ${oneLine(err)}`, { cause: err });
    }
    let account;
    try {
      account = await readGitHubAccount(githubClient(this.settings.apiUrl, accessToken));
    } catch (err) {
      throw new SignInFailed(`could not read your GitHub account: ${oneLine(err)}`, { cause: err });
    }
    return {
      subject: String(account.id),
      // GitHub's noreply address is GitHub's own, so it is as verified as a verified one.
      email: account.verifiedPrimaryEmail ?? noreplyEmail(this.settings.webUrl, account),
      emailVerified: true,
      name: account.name?.trim() || account.login,
      githubLogin: account.login,
      githubOrgs: account.orgs,
      githubToken: accessToken,
    };
  }
}
