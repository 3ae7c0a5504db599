import { Octokit } from '@octokit/rest';

/**
 * Octokit against github.com or a GitHub Enterprise Server (`NIGHTSHIFT_GITHUB_API_URL`), acting
 * as the person whose token it holds. Issue 11 opens pull requests with the same setup.
 */
export function githubClient(apiUrl: string, token: string): Octokit {
  return new Octokit({
    auth: token,
    baseUrl: apiUrl.replace(/\/+$/, ''),
    userAgent: 'nightshift',
    // A sign-in waits on these calls; GitHub's own retries and throttling would only stall it.
    request: { retries: 0 },
  });
}

export interface GitHubAccount {
  id: number;
  login: string;
  name: string | null;
  /** The primary email when GitHub has verified it, else null. */
  verifiedPrimaryEmail: string | null;
  orgs: string[];
}

/** Who the token belongs to: GET /user, /user/emails and /user/orgs. */
export async function readGitHubAccount(octokit: Octokit): Promise<GitHubAccount> {
  const [user, emails, orgs] = await Promise.all([
    octokit.rest.users.getAuthenticated(),
    octokit.rest.users.listEmailsForAuthenticatedUser({ per_page: 100 }),
    octokit.paginate(octokit.rest.orgs.listForAuthenticatedUser, { per_page: 100 }),
  ]);
  const primary = emails.data.find((e) => e.primary);
  return {
    id: user.data.id,
    login: user.data.login,
    name: user.data.name ?? null,
    verifiedPrimaryEmail: primary?.verified ? primary.email : null,
    orgs: orgs.map((o) => o.login),
  };
}

/** The address GitHub itself gives a person who keeps theirs private: `<id>+<login>@users.noreply.<host>`. */
export function noreplyEmail(webUrl: string, account: Pick<GitHubAccount, 'id' | 'login'>): string {
  return `${account.id}+${account.login}@users.noreply.${new URL(webUrl).hostname}`;
}
