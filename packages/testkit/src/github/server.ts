/**
 * GitHub for tests, on 127.0.0.1, laid out as GitHub Enterprise Server is (web and git at the
 * root, REST under /api/v3): the OAuth web flow, Apps and installation tokens, repositories as
 * real bare git repositories, pull requests, issue comments and reactions, and signed webhook
 * deliveries, checking credentials as GitHub does, so Octokit runs against it unchanged.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  appRoutes,
  createApp,
  expireInstallationTokens,
  installApp,
  liveInstallationToken,
  verifyAppJwt,
  type CreatedApp,
} from './apps.js';
import { createRepo, protectBranch, type CreateRepoOptions } from './bare-repos.js';
import { Issues, issueRoutes } from './issues.js';
import { API_PREFIX } from './json.js';
import { unauthorized, oauthRoutes } from './oauth-routes.js';
import { Pulls, pullRoutes } from './pulls.js';
import { rateLimited, setRateLimit, type RateLimitOptions } from './rate-limit.js';
import { repoRoutes, serveGit } from './repos.js';
import { userRoutes } from './rest-routes.js';
import {
  githubError,
  matchPath,
  type GitHubRequest,
  type GitHubResponse,
  type GitHubRoute,
} from './routes.js';
import {
  GitHubState,
  type GitHubUser,
  type InstallationToken,
  type IssueComment,
  type PullRequest,
  type Repo,
} from './state.js';
import { WebhookSender, type WebhookDelivery } from './webhooks.js';

export { API_PREFIX };

export interface GitHubServerOptions {
  users: GitHubUser[];
  clientId?: string;
  clientSecret?: string;
  /** More endpoints, tried before the built-in ones. */
  routes?: GitHubRoute[];
}

type RepoRef = { owner: string; name: string };
type By = { by: string };

export interface GitHubServer {
  /** The web root (NIGHTSHIFT_GITHUB_URL): `http://127.0.0.1:<port>`. */
  url: string;
  /** The REST root (NIGHTSHIFT_GITHUB_API_URL): `<url>/api/v3`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  state: GitHubState;
  /** Every request, in order: `GET /api/v3/user 200`, `GET /acme/app.git/info/refs 401`. */
  readonly requests: string[];
  route(route: GitHubRoute): void;

  /** A GitHub App with a fresh RSA key pair; its private key never stays here. */
  createApp(options: { slug: string; name?: string; id?: number }): CreatedApp;
  /** Installs the (only, or given) App on an account's repositories. */
  installApp(options: { owner: string; repos: string[]; appId?: number }): { id: number };
  /** A real bare repository at `<url>/<owner>/<name>.git`, with a first commit. */
  createRepo(options: CreateRepoOptions): Promise<Repo>;
  /** The bare repository's directory, for reading it with git. */
  repoDir(owner: string, name: string): string;
  /** Pushes to `branch` are refused from now on, with GitHub's "protected branch hook declined". */
  branchProtection(owner: string, name: string, branch: string): Promise<void>;
  pulls(owner: string, name: string): PullRequest[];
  comments(owner: string, name: string, issue?: number): IssueComment[];
  /** Merges as a person pressing the button; resolves once the webhook has been answered. */
  mergePull(owner: string, name: string, number: number, options: By): Promise<string>;
  closePull(owner: string, name: string, number: number, options: By): Promise<void>;
  review(
    options: RepoRef & {
      number: number;
      body?: string;
      state?: 'approved' | 'changes_requested' | 'commented';
    } & By,
  ): Promise<WebhookDelivery>;
  createIssue(options: RepoRef & { title: string; body?: string } & By): Promise<number>;
  /** A person comments; resolves with the comment once its `issue_comment` delivery was answered. */
  comment(options: RepoRef & { issue: number; body: string } & By): Promise<IssueComment>;

  setWebhookUrl(url: string | undefined): void;
  deliver(event: string, payload: Record<string, unknown>): Promise<WebhookDelivery>;
  redeliver(id: string): Promise<WebhookDelivery>;
  deliveries(): WebhookDelivery[];
  /** Resolves once the deliveries under way (those API calls set off) have been answered. */
  webhooksSettled(): Promise<void>;

  /** What an installation token reaches and until when; undefined when unknown or expired. */
  installationToken(token: string): InstallationToken | undefined;
  /** Every installation token expires now. */
  expireTokens(): void;
  /** `remaining: 0` makes REST answer as GitHub's exhausted rate limit until the reset. */
  rateLimit(options: RateLimitOptions): void;
  close(): Promise<void>;
}

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  const state = new GitHubState(
    options.users,
    options.clientId ?? `Iv1.${randomBytes(8).toString('hex')}`,
    options.clientSecret ?? randomBytes(20).toString('hex'),
  );
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-github-'));
  const webhooks = new WebhookSender(state);
  const pulls = new Pulls(state, webhooks);
  const issues = new Issues(state, webhooks);
  const routes: GitHubRoute[] = [
    ...(options.routes ?? []),
    ...oauthRoutes,
    ...userRoutes,
    ...appRoutes,
    ...repoRoutes,
    ...pullRoutes(pulls),
    ...issueRoutes(issues),
  ];
  const requests: string[] = [];

  const server = http.createServer((req, res) => {
    const git = { state, root, record: (line: string) => requests.push(line) };
    const onPushed = (repo: Repo, pusher: Parameters<Pulls['pushed']>[1]) =>
      void webhooks.track(pulls.pushed(repo, pusher));
    if (serveGit(req, res, { ...git, onPushed })) return;
    void answer(req).then(
      (out) => send(res, out, (status) => requests.push(`${req.method} ${req.url?.split('?')[0]} ${status}`)),
      (err: unknown) =>
        send(res, githubError(500, err instanceof Error ? err.message : String(err)), () => {}),
    );
  });

  async function answer(req: http.IncomingMessage): Promise<GitHubResponse> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    url.host = req.headers.host ?? url.host;
    const api = url.pathname.startsWith(`${API_PREFIX}/`);
    const path = api ? url.pathname.slice(API_PREFIX.length) : url.pathname;
    for (const route of routes) {
      if (route.api !== api || route.method !== req.method) continue;
      const params = matchPath(route.path, path);
      if (!params) continue;
      const base: GitHubRequest = {
        method: req.method,
        url,
        params,
        headers: req.headers,
        body: await readBody(req),
        state,
      };
      if (!route.api) return route.handle(base);
      const limited = rateLimited(state);
      if (limited) return limited;
      const authorized = authorize(route, base);
      return 'state' in authorized ? withRateHeaders(await route.handle(authorized)) : authorized;
    }
    return githubError(404, 'Not Found');
  }

  /** The request with who is calling, or GitHub's refusal. */
  function authorize(route: GitHubRoute, req: GitHubRequest): GitHubRequest | GitHubResponse {
    // GitHub accepts both `Bearer <token>` and `token <token>`.
    const presented = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!presented) return unauthorized();
    const auth = route.auth ?? 'user';
    if (auth === 'app') {
      const app = verifyAppJwt(state, presented);
      return typeof app === 'string' ? githubError(401, app) : { ...req, app, actor: state.botActor(app) };
    }
    let who: GitHubRequest;
    if (presented.startsWith('ghs_')) {
      const installationToken = liveInstallationToken(state, presented);
      if (!installationToken) return githubError(401, 'Bad credentials');
      if (auth === 'user') return githubError(403, 'Resource not accessible by integration');
      const installation = state.installations.find((i) => i.id === installationToken.installationId)!;
      who = { ...req, installationToken, actor: state.botActor(state.app(installation.appId)!) };
    } else {
      const token = state.tokens.get(presented);
      const user = token && state.user(token.login);
      if (!token || !user) return githubError(401, 'Bad credentials');
      if (auth === 'installation') return githubError(403, 'Resource not accessible by user');
      if (route.scope && !token.scopes.includes(route.scope)) return githubError(404, 'Not Found');
      who = { ...req, user, token, actor: state.userActor(user) };
    }
    if (auth !== 'repo') return who;
    const repo = state.repo(req.params.owner ?? '', req.params.repo ?? '');
    if (!repo) return githubError(404, 'Not Found');
    if (who.installationToken && !who.installationToken.repos.has(repo.fullName.toLowerCase())) {
      return githubError(404, 'Not Found');
    }
    return { ...who, repo };
  }

  const need = (owner: string, name: string) => {
    const repo = state.repo(owner, name);
    if (!repo) throw new Error(`testkit GitHub has no repository ${owner}/${name}`);
    return repo;
  };
  const needPull = (owner: string, name: string, number: number) => {
    const pull = state.pull(need(owner, name), number);
    if (!pull) throw new Error(`testkit GitHub has no pull request ${owner}/${name}#${number}`);
    return pull;
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.origin = url;
  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    state,
    requests,
    route: (route) => routes.unshift(route),
    createApp: (o) => createApp(state, o),
    installApp: (o) => installApp(state, o),
    createRepo: (o) => createRepo(state, root, o),
    repoDir: (owner, name) => need(owner, name).dir,
    branchProtection: (owner, name, branch) => protectBranch(need(owner, name), branch),
    pulls: (owner, name) => state.pullsOf(need(owner, name)).map((p) => ({ ...p })),
    comments: (owner, name, issue) =>
      issues.commentsOf(need(owner, name), issue).map((c) => ({ ...c, reactions: [...c.reactions] })),
    async mergePull(owner, name, number, { by }) {
      const merged = await pulls.merge(need(owner, name), needPull(owner, name, number), state.actor(by));
      if (typeof merged !== 'string') throw new Error(`testkit GitHub: ${merged.refused}`);
      await webhooks.settled();
      return merged;
    },
    async closePull(owner, name, number, { by }) {
      await pulls.setState(need(owner, name), needPull(owner, name, number), 'closed', state.actor(by));
      await webhooks.settled();
    },
    review: (o) =>
      pulls.review(need(o.owner, o.name), needPull(o.owner, o.name, o.number), {
        by: state.actor(o.by),
        state: o.state ?? 'commented',
        ...(o.body ? { body: o.body } : {}),
      }),
    async createIssue(o) {
      const issue = await issues.open(need(o.owner, o.name), {
        title: o.title,
        by: state.actor(o.by),
        ...(o.body ? { body: o.body } : {}),
      });
      return issue.number;
    },
    async comment(o) {
      const repo = need(o.owner, o.name);
      const made = await issues.comment(
        repo,
        { issue: o.issue, body: o.body, by: state.actor(o.by) },
        'await',
      );
      if (!made) throw new Error(`testkit GitHub has no issue ${o.owner}/${o.name}#${o.issue}`);
      return made;
    },
    setWebhookUrl: (hook) => webhooks.setUrl(hook),
    deliver: (event, payload) => webhooks.deliver(event, payload),
    redeliver: (id) => webhooks.redeliver(id),
    deliveries: () => webhooks.deliveries(),
    webhooksSettled: () => webhooks.settled(),
    installationToken: (token) => liveInstallationToken(state, token),
    expireTokens: () => expireInstallationTokens(state),
    rateLimit: (o) => setRateLimit(state, o),
    async close() {
      webhooks.setUrl(undefined);
      await webhooks.settled();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

function withRateHeaders(out: GitHubResponse): GitHubResponse {
  return {
    ...out,
    headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '4999', ...out.headers },
  };
}

function send(res: http.ServerResponse, out: GitHubResponse, record: (status: number) => void): void {
  const status = out.status ?? 200;
  const text =
    typeof out.body === 'string' ? out.body : out.body === undefined ? '' : JSON.stringify(out.body);
  const type = typeof out.body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
  record(status);
  res.writeHead(status, { 'content-type': type, ...out.headers });
  res.end(text);
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
