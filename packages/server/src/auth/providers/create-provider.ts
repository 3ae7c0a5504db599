import type { AuthConfig } from '../../config.js';
import { GitHubProvider } from './github/github-provider.js';
import { OidcProvider } from './oidc/oidc-provider.js';
import type { AuthProvider } from './provider.js';

/** The provider `NIGHTSHIFT_AUTH` names, or null in local mode (config has checked the settings). */
export function createAuthProvider(auth: AuthConfig): AuthProvider | null {
  if (auth.mode === 'oidc' && auth.oidc) return new OidcProvider(auth.oidc);
  if (auth.mode === 'github' && auth.github.clientId && auth.github.clientSecret) {
    return new GitHubProvider({
      ...auth.github,
      clientId: auth.github.clientId,
      clientSecret: auth.github.clientSecret,
    });
  }
  return null;
}
