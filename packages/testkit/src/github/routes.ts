import type http from 'node:http';
import type {
  GitHubActor,
  GitHubApp,
  GitHubState,
  GitHubToken,
  GitHubUser,
  InstallationToken,
  Repo,
} from './state.js';

export interface GitHubRequest {
  method: string;
  url: URL;
  /** `:name` segments of the route's path. */
  params: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  state: GitHubState;
  /** Set on API routes for a user's OAuth token: the token's user and the token (its scopes). */
  user?: GitHubUser;
  token?: GitHubToken;
  /** Set on `app` routes: the App whose JWT signed the request. */
  app?: GitHubApp;
  /** Set for an installation token (`ghs_…`). */
  installationToken?: InstallationToken;
  /** Whoever the token speaks for: the user, or the App's bot. */
  actor?: GitHubActor;
  /** Set on `repo` routes: the `:owner/:repo` of the path, checked to be within the token's reach. */
  repo?: Repo;
}

export interface GitHubResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as it is (HTML, form encoding); anything else as JSON. */
  body?: unknown;
}

/**
 * Who may call a route, as GitHub decides it:
 * - `user`: a user's OAuth token (B's sign-in endpoints; the default);
 * - `app`: the App's own JWT;
 * - `installation`: an installation token;
 * - `repo`: a user token or an installation token covering the path's `:owner/:repo`.
 */
export type RouteAuth = 'user' | 'app' | 'installation' | 'repo';

/**
 * One endpoint. `api` routes live under the API prefix and require credentials as GitHub's REST
 * API does; web routes (OAuth) do not.
 */
export interface GitHubRoute {
  method: string;
  /** `/user/emails`, `/repos/:owner/:repo/pulls` … */
  path: string;
  api: boolean;
  auth?: RouteAuth;
  /** A scope the token must hold (GitHub answers 404 without it, hiding that the resource exists). */
  scope?: string;
  handle(req: GitHubRequest): GitHubResponse | Promise<GitHubResponse>;
}

/** The path's params when `pattern` matches it, else undefined. A `*name` segment takes the rest. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('/');
  const rest = want.at(-1)?.startsWith('*');
  if (rest ? got.length < want.length : want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith('*')) params[w.slice(1)] = got.slice(i).map(decodeURIComponent).join('/');
    else if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(got[i]!);
    else if (w !== got[i]) return undefined;
  }
  return params;
}

export const DOCS = 'https://docs.github.com/rest';

export function githubError(status: number, message: string): GitHubResponse {
  return { status, body: { message, documentation_url: DOCS, status: String(status) } };
}

/** GitHub's 422: `Validation Failed` with the reasons in `errors`. */
export function validationFailed(
  errors: Array<{ resource: string; code: string; field?: string; message?: string }>,
  message = 'Validation Failed',
): GitHubResponse {
  return { status: 422, body: { message, errors, documentation_url: DOCS, status: '422' } };
}

/** The request's JSON body, or undefined when it is not a JSON object. */
export function jsonBody(req: GitHubRequest): Record<string, unknown> | undefined {
  if (!req.body) return {};
  try {
    const parsed: unknown = JSON.parse(req.body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const problemsParsingJson = () => githubError(400, 'Problems parsing JSON');

/** One page of `items` as GitHub pages lists: `per_page` (≤ 100, default 30), `page`, a Link header. */
export function paginate<T>(req: GitHubRequest, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get('per_page')) || 30));
  const page = Math.max(1, Number(req.url.searchParams.get('page')) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const u = new URL(req.url);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(n));
    return `<${u.href}>; rel="${rel}"`;
  };
  const links = [
    ...(page < last ? [link(page + 1, 'next'), link(last, 'last')] : []),
    ...(page > 1 ? [link(1, 'first'), link(page - 1, 'prev')] : []),
  ];
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}
