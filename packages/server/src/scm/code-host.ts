import type { OriginCredentials } from './origin-mirror.js';

/** A repository a code host (GitHub) serves, as a session names it and git reaches it. */
export interface ResolvedRepo {
  /** `owner/name` on the host. */
  fullName: string;
  owner: string;
  name: string;
  /** The clone URL without credentials: what a session stores as its repository. */
  url: string;
  defaultBranch: string;
}

/** A repository people may pick (an installation's), for `GET /api/repos`. */
export interface HostRepo extends ResolvedRepo {
  description: string | null;
  private: boolean;
}

export interface OpenPullRequest {
  repo: ResolvedRepo;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
  /** The person's own user token (they become the author); undefined opens it as the App. */
  userToken?: string;
}

export interface HostPullRequest {
  number: number;
  url: string;
  state: 'open' | 'closed' | 'merged';
  author: string;
}

/**
 * What the control plane needs from a code host, so sessions and the git endpoint do not know
 * which host it is. GitHub (github/github-code-host.ts) is the only one now.
 */
export interface CodeHost {
  /** `owner/name` or one of the host's URLs, when the host serves it; undefined when it is not the host's. */
  resolveRepo(ref: string): Promise<ResolvedRepo | undefined>;
  /** Fresh credentials for git to fetch from and push to `repo`'s origin: asked at each use, never stored. */
  originCredentials(
    repo: Pick<ResolvedRepo, 'owner' | 'name' | 'url'>,
    options?: { renew?: boolean },
  ): Promise<OriginCredentials>;
  listRepos(): Promise<HostRepo[]>;
  /** Commits `head` has that `base` has not. */
  commitsAhead(repo: ResolvedRepo, base: string, head: string): Promise<number>;
  openPullRequest(request: OpenPullRequest): Promise<HostPullRequest>;
  /** The open pull request from `head`, if there is one. */
  findPullRequest(repo: ResolvedRepo, head: string): Promise<HostPullRequest | undefined>;
}
