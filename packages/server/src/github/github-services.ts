import type { Author, PullRequest } from '@nightshift/protocol';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { OriginCredentialsProvider } from '../scm/origin-mirror.js';
import { originCredentials } from '../scm/origin-mirror.js';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { Store } from '../store/store.js';
import { GitHubApp } from './app.js';
import { GitHubCodeHost } from './github-code-host.js';
import { PullRequestService } from './pull-requests.js';
import type { GitHubUserTokens } from './user-tokens.js';

export interface GitHubServices {
  app: GitHubApp;
  host: GitHubCodeHost;
  pullRequests: PullRequestService;
  /** For the origin mirrors: an installed repository's fresh installation token, else the URL's own credentials. */
  originCredentials: OriginCredentialsProvider;
}

/** The GitHub App's parts, or null when no App is configured. */
export async function createGitHubServices(options: {
  config: ServerConfig;
  store: Store;
  /** The sessions, made after the host (their probe asks it). */
  registry: () => SessionRegistry;
  log: Logger;
  publicUrl: () => string;
  localRequester: Author;
  /** People's own tokens, so their pull requests are theirs. */
  userTokens: GitHubUserTokens;
}): Promise<GitHubServices | null> {
  const { config, store, registry, log } = options;
  if (!config.github) return null;
  const app = await GitHubApp.start(config.github, config.auth.github, log);
  const host = new GitHubCodeHost(app);
  const pullRequests = new PullRequestService({
    host,
    store,
    log,
    publicUrl: options.publicUrl,
    localRequester: options.localRequester,
    userTokenFor: (personId) => options.userTokens.tokenFor(personId),
    forgetUserToken: (personId) => options.userTokens.forget(personId),
    // Under OIDC sign-in a GitHub token comes from linking the account (api/routes/github-link.ts).
    ...(config.auth.mode === 'oidc' ? { renewUserTokenPath: '/api/auth/github/link' } : {}),
    addArtifact: async (sessionId: string, pr: PullRequest) => {
      const actor = await registry().require(sessionId);
      await actor.recordArtifact({ type: 'pull_request', url: pr.url, data: { ...pr } });
    },
  });
  return {
    app,
    host,
    pullRequests,
    originCredentials: async (repo, credentialOptions) => {
      const parsed = host.parseRef(repo);
      if (!parsed || (await app.installationFor(parsed.owner, parsed.name)) === undefined)
        return originCredentials(repo);
      return host.originCredentials({ ...parsed, url: originCredentials(repo).url }, credentialOptions);
    },
  };
}
