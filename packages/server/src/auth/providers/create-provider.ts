import type { AuthConfig } from '../../config.js';
import { GitHubProvider } from './github/github-provider.js';
import { OidcProvider } from './oidc/oidc-provider.js';
import type { AuthProvider } from './provider.js';

/** The provider `NIGHTSHIFT_AUTH` names, or null in local mode (config has checked the settings). */
export function createAuthProvider(auth: AuthConfig): AuthProvider | null {
  if (auth.mode === 'oidc' && auth.oidc) return new OidcProvider(auth.oidc);
  if (auth.mode === 'github') return gitHubProvider(auth);
  return null;
}

/**
 * GitHub's OAuth flow for someone signed in with OIDC to link their GitHub account, when the
 * deployment has a GitHub OAuth client too; null otherwise.
 */
export function createGitHubLinkProvider(auth: AuthConfig): GitHubProvider | null {
  return auth.mode === 'oidc' ? gitHubProvider(auth) : null;
}

function gitHubProvider(auth: AuthConfig): GitHubProvider | null {
  const { clientId, clientSecret } = auth.github;
  if (!clientId || !clientSecret) return null;
  return new GitHubProvider({ ...auth.github, clientId, clientSecret });
}
