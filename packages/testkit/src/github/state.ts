import { randomBytes, type KeyObject } from 'node:crypto';

export interface GitHubUser {
  login: string;
  id: number;
  name: string | null;
  email: string;
  /** Whether GitHub has verified the primary email; default true. */
  emailVerified?: boolean;
  /** Logins of the organisations the user belongs to. */
  orgs?: string[];
}

export interface GitHubToken {
  token: string;
  login: string;
  scopes: string[];
}

/** Who did something: a user, or an App acting as `<slug>[bot]`. */
export interface GitHubActor {
  login: string;
  id: number;
  type: 'User' | 'Bot';
}

export type Permissions = Record<string, string>;

export interface GitHubApp {
  id: number;
  slug: string;
  name: string;
  clientId: string;
  publicKey: KeyObject;
  webhookSecret: string;
  permissions: Permissions;
  events: string[];
  createdAt: string;
}

export interface Installation {
  id: number;
  appId: number;
  owner: string;
  /** Full names (`owner/name`) of the repositories the App was given. */
  repos: Set<string>;
  createdAt: string;
}

export interface InstallationToken {
  token: string;
  installationId: number;
  /** Full names the token may reach: the installation's, or the subset asked for. */
  repos: Set<string>;
  permissions: Permissions;
  restricted: boolean;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface Repo {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
  private: boolean;
  description: string | null;
  /** The bare repository served over smart HTTP. */
  dir: string;
  createdAt: string;
}

/** Issues and pull requests share a repository's numbers, as on GitHub. */
export interface Issue {
  id: number;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  author: GitHubActor;
  state: 'open' | 'closed';
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
}

export interface PullRequest extends Issue {
  head: string;
  /** The head's commit when last seen, to notice pushes (`synchronize`). */
  headSha: string;
  base: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: GitHubActor | null;
  mergeCommitSha: string | null;
}

export interface Reaction {
  id: number;
  content: string;
  user: GitHubActor;
  createdAt: string;
}

export interface IssueComment {
  id: number;
  repo: string;
  issue: number;
  body: string;
  author: GitHubActor;
  createdAt: string;
  updatedAt: string;
  reactions: Reaction[];
}

export interface RateLimit {
  status: 403 | 429;
  /** Seconds since the epoch. */
  reset: number;
}

/** Lower-cased full name: GitHub's owner and repository names are case-insensitive. */
export const repoKey = (owner: string, name: string) => `${owner}/${name}`.toLowerCase();

/** GitHub's timestamps: ISO 8601 to the second. */
export const timestamp = (at = Date.now()) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What the fake GitHub knows: users, OAuth and App credentials, repositories and their conversations. */
export class GitHubState {
  readonly tokens = new Map<string, GitHubToken>();
  readonly codes = new Map<
    string,
    { login: string; clientId: string; redirectUri: string; scopes: string[]; challenge?: string }
  >();
  readonly apps: GitHubApp[] = [];
  readonly installations: Installation[] = [];
  readonly installationTokens = new Map<string, InstallationToken>();
  readonly repos = new Map<string, Repo>();
  readonly issues = new Map<string, Issue | PullRequest>();
  readonly comments: IssueComment[] = [];
  rateLimit: RateLimit | undefined;
  /** The web root, known once the server listens; payloads carry URLs under it. */
  origin = '';
  private lastId = 100;
  private readonly numbers = new Map<string, number>();

  constructor(
    readonly users: GitHubUser[],
    readonly clientId: string,
    readonly clientSecret: string,
  ) {}

  user(login: string): GitHubUser | undefined {
    return this.users.find((u) => u.login.toLowerCase() === login.toLowerCase());
  }

  /** A token as GitHub's OAuth app tokens look (`gho_…`), for tests that need one without the web flow. */
  issueToken(login: string, scopes: string[] = ['read:user', 'user:email', 'read:org']): string {
    const token = `gho_${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, { token, login, scopes });
    return token;
  }

  nextId(): number {
    return ++this.lastId;
  }

  nextNumber(repo: Repo): number {
    const next = (this.numbers.get(repo.fullName) ?? 0) + 1;
    this.numbers.set(repo.fullName, next);
    return next;
  }

  repo(owner: string, name: string): Repo | undefined {
    return this.repos.get(repoKey(owner, name));
  }

  app(id?: number): GitHubApp | undefined {
    return id === undefined ? this.apps[0] : this.apps.find((a) => a.id === id);
  }

  /** The installation of the (only, or given) App covering a repository. */
  installationFor(repo: Repo, appId?: number): Installation | undefined {
    const key = repoKey(repo.owner, repo.name);
    return this.installations.find(
      (i) => (appId === undefined || i.appId === appId) && [...i.repos].some((r) => r.toLowerCase() === key),
    );
  }

  issue(repo: Repo, number: number): Issue | PullRequest | undefined {
    return this.issues.get(`${repo.fullName}#${number}`);
  }

  pull(repo: Repo, number: number): PullRequest | undefined {
    const found = this.issue(repo, number);
    return found && isPull(found) ? found : undefined;
  }

  pullsOf(repo: Repo): PullRequest[] {
    return [...this.issues.values()].filter((i): i is PullRequest => i.repo === repo.fullName && isPull(i));
  }

  userActor(user: GitHubUser): GitHubActor {
    return { login: user.login, id: user.id, type: 'User' };
  }

  botActor(app: GitHubApp): GitHubActor {
    return { login: `${app.slug}[bot]`, id: 41_000_000 + app.id, type: 'Bot' };
  }

  /** A user by login, as an actor; throws for an unknown login (a test's mistake). */
  actor(login: string): GitHubActor {
    const user = this.user(login);
    if (user) return this.userActor(user);
    const app = this.apps.find((a) => `${a.slug}[bot]` === login);
    if (app) return this.botActor(app);
    throw new Error(`testkit GitHub has no user ${login}`);
  }
}

export function isPull(issue: Issue | PullRequest): issue is PullRequest {
  return 'head' in issue;
}
