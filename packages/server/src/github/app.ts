import { App } from '@octokit/app';
import { Octokit } from '@octokit/rest';
import type { GitHubAppConfig } from '../config.js';
import type { Logger } from '../log.js';
import { notInstalled } from './errors.js';
import { InstallationTokenCache, type InstallationToken } from './installation-tokens.js';
import { backOffOnRateLimit } from './rate-limit.js';

/** Where GitHub is: github.com, or a GitHub Enterprise Server (NIGHTSHIFT_GITHUB_API_URL / _URL). */
export interface GitHubUrls {
  apiUrl: string;
  webUrl: string;
}

/** A repository an installation of the App may use. */
export interface InstalledRepo {
  owner: string;
  name: string;
  installationId: number;
  defaultBranch: string;
  description: string | null;
  private: boolean;
}

/** What a clone or a push needs and nothing more: the one repository's contents and its pull requests. */
const REPO_TOKEN_PERMISSIONS = { contents: 'write', pull_requests: 'write' } as const;
const INSTALLED_REPOS_TTL_MS = 60_000;

/** Octokit's request log would print each refusal (a 404 that means "not installed") to the console. */
const QUIET = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Octokit against this GitHub, backing off when GitHub says so and never retrying on its own. */
export function githubOctokit(urls: GitHubUrls, auth?: string): Octokit {
  const octokit = new Octokit({
    ...(auth ? { auth } : {}),
    log: QUIET,
    baseUrl: urls.apiUrl.replace(/\/+$/, ''),
    userAgent: 'nightshift',
    request: { retries: 0 },
  });
  backOffOnRateLimit(octokit);
  return octokit;
}

/**
 * The control plane acting as the GitHub App: it signs JWTs with the App's private key (which
 * never leaves this process) and mints installation tokens from them, each scoped to one
 * repository and cached until shortly before it expires.
 */
export class GitHubApp {
  private readonly app: App<{ Octokit: typeof Octokit }>;
  private readonly tokens: InstallationTokenCache;
  private readonly installations = new Map<string, number | null>();
  private installed: { at: number; repos: Promise<InstalledRepo[]> } | undefined;

  private constructor(
    readonly config: GitHubAppConfig,
    readonly urls: GitHubUrls,
    /** The App's URL name (`GET /app`): what comments mention, `@<slug>`. */
    readonly slug: string,
    readonly botLogin: string,
    private readonly log: Logger,
    app: App<{ Octokit: typeof Octokit }>,
  ) {
    this.app = app;
    this.tokens = new InstallationTokenCache((key) => {
      const [owner, name] = key.split('/') as [string, string];
      return this.mintRepoToken(owner, name);
    });
  }

  /** Asks GitHub who the App is; a wrong id or key fails here, at start, saying so. */
  static async start(config: GitHubAppConfig, urls: GitHubUrls, log: Logger): Promise<GitHubApp> {
    const AppOctokit = Octokit.defaults({
      baseUrl: urls.apiUrl.replace(/\/+$/, ''),
      userAgent: 'nightshift',
      request: { retries: 0 },
      log: QUIET,
    });
    const app = new App({
      appId: config.appId,
      privateKey: config.privateKey,
      Octokit: AppOctokit,
      log: QUIET,
    });
    backOffOnRateLimit(app.octokit);
    const { data } = await app.octokit.request('GET /app');
    const slug = data?.slug ?? String(config.appId);
    log.info({ app: slug, appId: config.appId }, 'GitHub App ready');
    return new GitHubApp(config, urls, slug, `${slug}[bot]`, log, app);
  }

  /** Where an owner installs the App on more repositories. */
  installUrl(): string {
    return `${this.urls.webUrl.replace(/\/+$/, '')}/apps/${this.slug}/installations/new`;
  }

  /** The installation that covers `owner/repo`, or undefined when the App is not installed there. */
  async installationFor(owner: string, repo: string): Promise<number | undefined> {
    const key = repoKey(owner, repo);
    if (this.installations.has(key)) return this.installations.get(key) ?? undefined;
    try {
      const { data } = await this.app.octokit.request('GET /repos/{owner}/{repo}/installation', {
        owner,
        repo,
      });
      this.installations.set(key, data.id);
      return data.id;
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }

  /** Whether `owner/repo` is known to be installed, from what was asked or listed already (no call to GitHub). */
  knownInstalled(owner: string, repo: string): boolean {
    return typeof this.installations.get(repoKey(owner, repo)) === 'number';
  }

  /** Octokit acting as an installation (comments, reactions, pull requests by the App). */
  octokitForInstallation(installationId: number): Promise<Octokit> {
    return this.app.getInstallationOctokit(installationId) as Promise<Octokit>;
  }

  /** Octokit acting as the installation on `owner/repo`, with a token scoped to that repository. */
  async octokitForRepo(owner: string, repo: string): Promise<Octokit> {
    return githubOctokit(this.urls, (await this.repoToken(owner, repo)).token);
  }

  /** A token for `owner/repo` alone, fresh for at least five more minutes. */
  repoToken(owner: string, repo: string): Promise<InstallationToken> {
    return this.tokens.get(`${owner}/${repo}`);
  }

  /** Drops a token GitHub refused before its time (revoked), so the next call mints another. */
  forgetRepoToken(owner: string, repo: string): void {
    this.tokens.forget(`${owner}/${repo}`);
  }

  /** Every repository of every installation, asked again at most once a minute. */
  installedRepos(now = Date.now()): Promise<InstalledRepo[]> {
    if (this.installed && now - this.installed.at < INSTALLED_REPOS_TTL_MS) return this.installed.repos;
    const repos = this.listInstalledRepos();
    this.installed = { at: now, repos };
    repos.catch(() => {
      if (this.installed?.repos === repos) this.installed = undefined;
    });
    return repos;
  }

  private async listInstalledRepos(): Promise<InstalledRepo[]> {
    const repos: InstalledRepo[] = [];
    for await (const { installation } of this.app.eachInstallation.iterator()) {
      for await (const { repository } of this.app.eachRepository.iterator({
        installationId: installation.id,
      })) {
        const owner = repository.owner.login;
        this.installations.set(repoKey(owner, repository.name), installation.id);
        repos.push({
          owner,
          name: repository.name,
          installationId: installation.id,
          defaultBranch: repository.default_branch ?? 'main',
          description: repository.description ?? null,
          private: repository.private,
        });
      }
    }
    return repos.sort((a, b) => repoKey(a.owner, a.name).localeCompare(repoKey(b.owner, b.name)));
  }

  private async mintRepoToken(owner: string, repo: string): Promise<InstallationToken> {
    const installationId = await this.installationFor(owner, repo);
    if (installationId === undefined) throw notInstalled(`${owner}/${repo}`, this.installUrl());
    const { data } = await this.app.octokit.request(
      'POST /app/installations/{installation_id}/access_tokens',
      {
        installation_id: installationId,
        repositories: [repo],
        permissions: REPO_TOKEN_PERMISSIONS,
      },
    );
    this.log.debug({ repo: `${owner}/${repo}`, expiresAt: data.expires_at }, 'minted an installation token');
    return { token: data.token, expiresAt: Date.parse(data.expires_at) };
  }
}

/** GitHub's names are case-insensitive; one key per repository. */
export function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}
