import type http from 'node:http';
import type { GitHubState, GitHubToken, GitHubUser } from './state.js';

export interface GitHubRequest {
  method: string;
  url: URL;
  /** `:name` segments of the route's path. */
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  state: GitHubState;
  /** Set on API routes: the token's user and the token (its scopes), already checked. */
  user?: GitHubUser;
  token?: GitHubToken;
}

export interface GitHubResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as it is (HTML, form encoding); anything else as JSON. */
  body?: unknown;
}

/**
 * One endpoint. `api` routes live under the API prefix and require a token as GitHub's REST API
 * does; web routes (OAuth) do not. Issue 11 adds the pull-request endpoints to this table.
 */
export interface GitHubRoute {
  method: string;
  /** `/user/emails`, `/repos/:owner/:repo/pulls` … */
  path: string;
  api: boolean;
  /** A scope the token must hold (GitHub answers 404 without it, hiding that the resource exists). */
  scope?: string;
  handle(req: GitHubRequest): GitHubResponse | Promise<GitHubResponse>;
}

/** The path's params when `pattern` matches it, else undefined. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return undefined;
  }
  return params;
}

export const DOCS = 'https://docs.github.com/rest';

export function githubError(status: number, message: string): GitHubResponse {
  return { status, body: { message, documentation_url: DOCS, status: String(status) } };
}
