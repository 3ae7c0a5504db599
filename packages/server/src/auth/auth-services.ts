import type { AuthConfig } from '../config.js';
import type { Store } from '../store/store.js';
import { ApiTokenService } from './api-tokens.js';
import { PeopleDirectory, type GitHubTokenKeeper } from './people-directory.js';
import { RequestAuthenticator } from './request-auth.js';

/** The auth domain of one server, as the HTTP edges and the sign-in routes use it. */
export interface AuthServices {
  config: AuthConfig;
  directory: PeopleDirectory;
  tokens: ApiTokenService;
  authenticator: RequestAuthenticator;
  /** Where browsers reach the server: NIGHTSHIFT_PUBLIC_URL, else (loopback only) the listen URL. */
  publicUrl(): string;
  /** Cookies get `Secure` when people reach the server over https. */
  secureCookies(): boolean;
}

export function createAuthServices(
  config: AuthConfig,
  store: Store,
  listenUrl: () => string,
  hooks: { onGitHubToken?: GitHubTokenKeeper } = {},
): AuthServices {
  const directory = new PeopleDirectory(store, config, undefined, hooks.onGitHubToken);
  const tokens = new ApiTokenService(store);
  const publicUrl = () => config.publicUrl ?? listenUrl();
  return {
    config,
    directory,
    tokens,
    authenticator: new RequestAuthenticator(config.mode, directory, tokens, () =>
      config.publicUrl ? [config.publicUrl] : loopbackOrigins(listenUrl()),
    ),
    publicUrl,
    secureCookies: () => publicUrl().startsWith('https:'),
  };
}

/**
 * Without NIGHTSHIFT_PUBLIC_URL the server listens on loopback, where one port has several names:
 * a page at http://localhost:7070 is as much this server's as one at http://127.0.0.1:7070.
 */
export function loopbackOrigins(listenUrl: string): string[] {
  const { protocol, port } = new URL(listenUrl);
  return ['127.0.0.1', 'localhost', '[::1]'].map((host) => `${protocol}//${host}${port ? `:${port}` : ''}`);
}
