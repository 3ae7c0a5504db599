import type { Octokit } from '@octokit/rest';
import type { CodeHost, HostPullRequest, HostRepo, OpenPullRequest, ResolvedRepo } from '../scm/code-host.js';
import type { OriginCredentials } from '../scm/origin-mirror.js';
import { githubOctokit, type GitHubApp, type InstalledRepo } from './app.js';
import { notInstalled, tokenExpired } from './errors.js';

/** `owner/name` as GitHub allows them: letters, digits, `-`, `_`, `.`. */
const FULL_NAME = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/;

/**
 * GitHub as the code host: a session's repository is `<NIGHTSHIFT_GITHUB_URL>/<owner>/<name>.git`
 * (given as that URL or as `owner/name`), reached with installation tokens of the App.
 */
export class GitHubCodeHost implements CodeHost {
  constructor(private readonly app: GitHubApp) {}

  private get webUrl(): string {
    return this.app.urls.webUrl.replace(/\/+$/, '');
  }

  /** The owner and name `ref` names on this GitHub, whether or not the App is installed there. */
  parseRef(ref: string): { owner: string; name: string } | undefined {
    const trimmed = ref.trim();
    const full = FULL_NAME.exec(trimmed);
    if (full) return { owner: full[1]!, name: full[2]!.replace(/\.git$/, '') };
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    const web = new URL(this.webUrl);
    if (url.origin !== web.origin || url.username || url.password) return undefined;
    const rest = url.pathname.slice(web.pathname.replace(/\/+$/, '').length);
    const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(rest);
    return match && FULL_NAME.test(`${match[1]}/${match[2]}`)
      ? { owner: match[1]!, name: match[2]! }
      : undefined;
  }

  /**
   * `owner/name` must be installed (else `github_not_installed`); a URL on this GitHub is the
   * App's when installed, and otherwise left to git as any other URL.
   */
  async resolveRepo(ref: string): Promise<ResolvedRepo | undefined> {
    const parsed = this.parseRef(ref);
    if (!parsed) return undefined;
    const installation = await this.app.installationFor(parsed.owner, parsed.name);
    if (installation === undefined) {
      if (FULL_NAME.test(ref.trim()))
        throw notInstalled(`${parsed.owner}/${parsed.name}`, this.app.installUrl());
      return undefined;
    }
    const octokit = await this.app.octokitForRepo(parsed.owner, parsed.name);
    const { data } = await octokit.rest.repos.get({ owner: parsed.owner, repo: parsed.name });
    return this.resolved(data.owner.login, data.name, data.default_branch);
  }

  async originCredentials(
    repo: Pick<ResolvedRepo, 'owner' | 'name' | 'url'>,
    options: { renew?: boolean } = {},
  ): Promise<OriginCredentials> {
    if (options.renew) this.app.forgetRepoToken(repo.owner, repo.name);
    const { token } = await this.app.repoToken(repo.owner, repo.name);
    const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
    return { url: repo.url, authorization: `Basic ${basic}`, secrets: [token, basic] };
  }

  async listRepos(): Promise<HostRepo[]> {
    return (await this.app.installedRepos()).map((r: InstalledRepo) => ({
      ...this.resolved(r.owner, r.name, r.defaultBranch),
      description: r.description,
      private: r.private,
    }));
  }

  /** Whether a session's repository is an installed one, as far as already known (synchronous, for the allow-list). */
  isKnownInstalled(ref: string): boolean {
    const parsed = this.parseRef(ref);
    return parsed !== undefined && this.app.knownInstalled(parsed.owner, parsed.name);
  }

  async hasBranch(repo: ResolvedRepo, branch: string): Promise<boolean> {
    const octokit = await this.app.octokitForRepo(repo.owner, repo.name);
    try {
      await octokit.rest.repos.getBranch({ owner: repo.owner, repo: repo.name, branch });
      return true;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return false;
      throw err;
    }
  }

  async commitsAhead(repo: ResolvedRepo, base: string, head: string): Promise<number> {
    const octokit = await this.app.octokitForRepo(repo.owner, repo.name);
    try {
      const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: repo.owner,
        repo: repo.name,
        basehead: `${base}...${head}`,
      });
      return data.ahead_by;
    } catch (err) {
      // The branch was never pushed: nothing ahead.
      if ((err as { status?: number }).status === 404) return 0;
      throw err;
    }
  }

  async openPullRequest(request: OpenPullRequest): Promise<HostPullRequest> {
    const { repo } = request;
    const octokit = await this.octokitFor(request);
    try {
      const { data } = await octokit.rest.pulls.create({
        owner: repo.owner,
        repo: repo.name,
        head: request.head,
        base: request.base,
        title: request.title,
        body: request.body,
        draft: request.draft,
      });
      return pullRequestOf(data);
    } catch (err) {
      if (request.userToken && (err as { status?: number }).status === 401) throw tokenExpired();
      throw err;
    }
  }

  async findPullRequest(repo: ResolvedRepo, head: string): Promise<HostPullRequest | undefined> {
    const octokit = await this.app.octokitForRepo(repo.owner, repo.name);
    const { data } = await octokit.rest.pulls.list({
      owner: repo.owner,
      repo: repo.name,
      head: `${repo.owner}:${head}`,
      state: 'open',
      per_page: 1,
    });
    return data[0] && pullRequestOf(data[0]);
  }

  private octokitFor(request: OpenPullRequest): Promise<Octokit> {
    if (request.userToken) return Promise.resolve(githubOctokit(this.app.urls, request.userToken));
    return this.app.octokitForRepo(request.repo.owner, request.repo.name);
  }

  private resolved(owner: string, name: string, defaultBranch: string): ResolvedRepo {
    return {
      fullName: `${owner}/${name}`,
      owner,
      name,
      url: `${this.webUrl}/${owner}/${name}.git`,
      defaultBranch,
    };
  }
}

function pullRequestOf(data: {
  number: number;
  html_url: string;
  state: string;
  merged_at?: string | null;
  user: { login: string } | null;
}): HostPullRequest {
  const state = data.merged_at ? 'merged' : data.state === 'open' ? 'open' : 'closed';
  return { number: data.number, url: data.html_url, state, author: data.user?.login ?? '' };
}
