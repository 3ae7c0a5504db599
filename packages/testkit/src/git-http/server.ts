/**
 * Git smart HTTP for tests: a node HTTP server in front of the real `git http-backend`, serving
 * the bare repositories under one root, behind HTTP basic auth, with push enabled.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveHttpBackend } from './http-backend.js';

export interface GitHttpServerOptions {
  /** Directory holding bare repositories, served as `/<name>.git`. */
  root: string;
  username: string;
  password: string;
}

export interface GitHttpRequestRecord {
  method: string;
  path: string;
  status: number;
  /** The authenticated user, or null when the request was refused. */
  user: string | null;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** URL of a repository under the root; with `credentials`, the username and password are embedded. */
  repoUrl(name: string, options?: { credentials?: boolean }): string;
  readonly requests: GitHttpRequestRecord[];
  close(): Promise<void>;
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The user named by a valid `Authorization: Basic` header, or null. */
function authenticate(header: string | undefined, options: GitHttpServerOptions): string | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  return sameSecret(user, options.username) && sameSecret(password, options.password) ? user : null;
}

export async function startGitHttpServer(options: GitHttpServerOptions): Promise<GitHttpServer> {
  const requests: GitHttpRequestRecord[] = [];

  const server = http.createServer((req, res) => {
    const [pathInfo = '/', query = ''] = (req.url ?? '/').split('?', 2);
    const user = authenticate(req.headers.authorization, options);
    if (!user) {
      requests.push({ method: req.method ?? '', path: pathInfo, status: 401, user: null });
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="nightshift-testkit git"',
        'content-type': 'text/plain',
      });
      res.end('authentication required\n');
      return;
    }

    void serveHttpBackend(req, res, { root: options.root, pathInfo, query, remoteUser: user }).then(
      (status) => requests.push({ method: req.method ?? '', path: pathInfo, status, user }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${host}`;

  return {
    url,
    repoUrl(name, { credentials = false } = {}) {
      const userinfo = credentials
        ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password)}@`
        : '';
      const file = name.endsWith('.git') ? name : `${name}.git`;
      return `http://${userinfo}${host}/${file}`;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
