/**
 * Repositories: git over smart HTTP at `<url>/<owner>/<name>.git` behind GitHub's token check
 * (HTTP Basic, any username, the password a user's OAuth token or an installation token for that
 * repository), and the REST reads of repositories, branches, refs and comparisons.
 */
import type http from 'node:http';
import { serveHttpBackend } from '../git-http/http-backend.js';
import { branchSha, commitInfo, commitsBetween, mergeBase, type CommitInfo } from './bare-repos.js';
import { liveInstallationToken } from './apps.js';
import { API_PREFIX, repoJson } from './json.js';
import { githubError, type GitHubRoute } from './routes.js';
import { repoKey, type GitHubActor, type GitHubState, type Repo } from './state.js';

export interface GitServing {
  state: GitHubState;
  root: string;
  /** After a push was accepted. */
  onPushed(repo: Repo, pusher: GitHubActor): void;
  record(line: string): void;
}

const GIT_PATH = /^\/([^/]+)\/([^/]+?)\.git(\/.*)$/;

/** Answers a git request and returns true, or returns false when `req` is not one. */
export function serveGit(req: http.IncomingMessage, res: http.ServerResponse, serving: GitServing): boolean {
  const [pathname = '/', query = ''] = (req.url ?? '/').split('?', 2);
  const match = GIT_PATH.exec(pathname);
  if (!match || pathname.startsWith(`${API_PREFIX}/`)) return false;
  const [, owner, name, rest] = match as unknown as [string, string, string, string];
  const refuse = (status: number, text: string, headers: Record<string, string> = {}) => {
    serving.record(`${req.method} ${pathname} ${status}`);
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(`${text}\n`);
    return true;
  };
  const repo = serving.state.repo(owner, name);
  if (!repo) return refuse(404, 'Repository not found.');
  const pusher = gitActor(serving.state, repo, req.headers.authorization);
  if (!pusher) {
    req.resume();
    return refuse(401, 'Invalid username or token.', { 'www-authenticate': 'Basic realm="GitHub"' });
  }
  const pushing = rest.endsWith('/git-receive-pack') || query.includes('service=git-receive-pack');
  if (pushing && !pusher.canPush) {
    req.resume();
    return refuse(403, `Permission to ${repo.fullName}.git denied to ${pusher.actor.login}.`);
  }
  void serveHttpBackend(req, res, {
    root: serving.root,
    pathInfo: `/${repo.owner}/${repo.name}.git${rest}`,
    query,
    remoteUser: pusher.actor.login,
  }).then((status) => {
    serving.record(`${req.method} ${pathname} ${status}`);
    if (req.method === 'POST' && rest === '/git-receive-pack' && status === 200) {
      serving.onPushed(repo, pusher.actor);
    }
  });
  return true;
}

function gitActor(
  state: GitHubState,
  repo: Repo,
  authorization: string | undefined,
): { actor: GitHubActor; canPush: boolean } | undefined {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const password = decoded.slice(decoded.indexOf(':') + 1);
  const installationToken = liveInstallationToken(state, password);
  if (installationToken) {
    if (!installationToken.repos.has(repoKey(repo.owner, repo.name))) return undefined;
    const installation = state.installations.find((i) => i.id === installationToken.installationId)!;
    return {
      actor: state.botActor(state.app(installation.appId)!),
      canPush: installationToken.permissions.contents === 'write',
    };
  }
  const userToken = state.tokens.get(password);
  const user = userToken && state.user(userToken.login);
  return user ? { actor: state.userActor(user), canPush: true } : undefined;
}

export function commitJson(state: GitHubState, repo: Repo, commit: CommitInfo) {
  const api = `${state.origin}${API_PREFIX}/repos/${repo.fullName}`;
  return {
    sha: commit.sha,
    node_id: `C_${commit.sha}`,
    url: `${api}/commits/${commit.sha}`,
    html_url: `${state.origin}/${repo.fullName}/commit/${commit.sha}`,
    commit: {
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      url: `${api}/git/commits/${commit.sha}`,
    },
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}` })),
  };
}

export const repoRoutes: GitHubRoute[] = [
  {
    method: 'GET',
    path: '/repos/:owner/:repo',
    api: true,
    auth: 'repo',
    handle: ({ state, repo }) => ({
      body: { ...repoJson(state, repo!), permissions: { admin: false, push: true, pull: true } },
    }),
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/branches/*branch',
    api: true,
    auth: 'repo',
    handle: async ({ state, repo, params }) => {
      const sha = await branchSha(repo!, params.branch!);
      if (!sha) return githubError(404, 'Branch not found');
      return {
        body: {
          name: params.branch,
          commit: commitJson(state, repo!, await commitInfo(repo!, sha)),
          protected: false,
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/git/ref/*ref',
    api: true,
    auth: 'repo',
    handle: async ({ state, repo, params }) => {
      const branch = /^heads\/(.+)$/.exec(params.ref!)?.[1];
      const sha = branch && (await branchSha(repo!, branch));
      if (!sha) return githubError(404, 'Not Found');
      const api = `${state.origin}${API_PREFIX}/repos/${repo!.fullName}`;
      return {
        body: {
          ref: `refs/${params.ref}`,
          node_id: `REF_${repo!.id}_${branch}`,
          url: `${api}/git/refs/${params.ref}`,
          object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/:owner/:repo/compare/*basehead',
    api: true,
    auth: 'repo',
    handle: async ({ state, repo, params }) => {
      const [base = '', head = ''] = params.basehead!.split('...');
      const baseSha = await branchSha(repo!, base);
      const headSha = await branchSha(repo!, head);
      if (!baseSha || !headSha) return githubError(404, `No common ancestor between ${base} and ${head}.`);
      const ahead = await commitsBetween(repo!, baseSha, headSha);
      const behind = await commitsBetween(repo!, headSha, baseSha);
      const base0 = await mergeBase(repo!, baseSha, headSha);
      const status =
        ahead.length && behind.length
          ? 'diverged'
          : ahead.length
            ? 'ahead'
            : behind.length
              ? 'behind'
              : 'identical';
      return {
        body: {
          url: `${state.origin}${API_PREFIX}/repos/${repo!.fullName}/compare/${base}...${head}`,
          html_url: `${state.origin}/${repo!.fullName}/compare/${base}...${head}`,
          status,
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          merge_base_commit: base0 ? commitJson(state, repo!, await commitInfo(repo!, base0)) : null,
          commits: ahead.map((c) => commitJson(state, repo!, c)),
          files: [],
        },
      };
    },
  },
];
