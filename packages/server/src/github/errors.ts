/** What kind of GitHub refusal it is; the HTTP edge gives each kind its status. */
export type GitHubErrorKind =
  | 'not_installed'
  | 'token_expired'
  | 'branch_protected'
  | 'no_commits_ahead'
  | 'rate_limited'
  | 'not_configured';

/**
 * A GitHub failure a person can act on (install the App, sign in again, wait). `code` and
 * `message` reach clients unchanged (docs/api.md lists the codes); `details` too.
 */
export class GitHubError extends Error {
  constructor(
    readonly kind: GitHubErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GitHubError';
  }
}

export function notInstalled(repo: string, installUrl: string): GitHubError {
  return new GitHubError(
    'not_installed',
    'github_not_installed',
    `the GitHub App is not installed on ${repo}: install it at ${installUrl}, choosing ${repo}`,
    { repo, installUrl },
  );
}

/** `loginUrl`: where to sign in again (`<PUBLIC_URL>/api/auth/login`), when known. */
export function tokenExpired(loginUrl?: string): GitHubError {
  return new GitHubError(
    'token_expired',
    'github_token_expired',
    `GitHub no longer accepts your sign-in token (revoked or expired): sign in with GitHub again${loginUrl ? `: ${loginUrl}` : ''}`,
    loginUrl ? { loginUrl } : undefined,
  );
}

export function rateLimited(retryAfterSeconds: number): GitHubError {
  return new GitHubError(
    'rate_limited',
    'github_rate_limited',
    `GitHub's rate limit is used up: try again in ${retryAfterSeconds} s`,
    { retryAfter: retryAfterSeconds },
  );
}

export function noCommitsAhead(branch: string, base: string): GitHubError {
  return new GitHubError(
    'no_commits_ahead',
    'no_commits_ahead',
    `${branch} has no commits ahead of ${base} yet: prompt the agent to change something first`,
    { branch, base },
  );
}

export function notConfigured(): GitHubError {
  return new GitHubError(
    'not_configured',
    'github_not_configured',
    'no GitHub App is configured: set NIGHTSHIFT_GITHUB_APP_ID, NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY and NIGHTSHIFT_GITHUB_WEBHOOK_SECRET',
  );
}
