/**
 * GitHub for tests: its OAuth web flow and the REST endpoints Nightshift calls, on 127.0.0.1,
 * laid out as GitHub Enterprise Server is (web at the root, REST under /api/v3), checking
 * tokens exactly as GitHub does. Endpoints are a table: issue 11 adds pull requests with `route`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { unauthorized, oauthRoutes } from './oauth-routes.js';
import { userRoutes } from './rest-routes.js';
import { githubError, matchPath, type GitHubResponse, type GitHubRoute } from './routes.js';
import { GitHubState, type GitHubUser } from './state.js';

export interface GitHubServerOptions {
  users: GitHubUser[];
  clientId?: string;
  clientSecret?: string;
  /** More endpoints, tried before the built-in ones. */
  routes?: GitHubRoute[];
}

export interface GitHubServer {
  /** The web root (NIGHTSHIFT_GITHUB_URL): `http://127.0.0.1:<port>`. */
  url: string;
  /** The REST root (NIGHTSHIFT_GITHUB_API_URL): `<url>/api/v3`. */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  state: GitHubState;
  /** Every request, in order: `GET /api/v3/user 200`. */
  readonly requests: string[];
  route(route: GitHubRoute): void;
  close(): Promise<void>;
}

export const API_PREFIX = '/api/v3';

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  const state = new GitHubState(
    options.users,
    options.clientId ?? `Iv1.${randomBytes(8).toString('hex')}`,
    options.clientSecret ?? randomBytes(20).toString('hex'),
  );
  const routes: GitHubRoute[] = [...(options.routes ?? []), ...oauthRoutes, ...userRoutes];
  const requests: string[] = [];

  const server = http.createServer((req, res) => {
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
      const body = await readBody(req);
      if (!route.api)
        return route.handle({ method: req.method, url, params, headers: req.headers, body, state });
      // GitHub accepts both `Bearer <token>` and `token <token>`.
      const presented = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!presented) return unauthorized();
      const token = state.tokens.get(presented);
      const user = token && state.user(token.login);
      if (!token || !user) return githubError(401, 'Bad credentials');
      if (route.scope && !token.scopes.includes(route.scope)) return githubError(404, 'Not Found');
      return route.handle({
        method: req.method,
        url,
        params,
        headers: req.headers,
        body,
        state,
        user,
        token,
      });
    }
    return githubError(404, 'Not Found');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}${API_PREFIX}`,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    state,
    requests,
    route: (route) => routes.unshift(route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
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
