import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseReceivePackCommands } from './git-pkt.js';
import { readPushBody, type PushBodyLimits } from './push-body.js';

/** A repository a sandbox may reach through the control plane, and the one branch it may push. */
export interface GitGrant {
  gitDir: string;
  pushableRef: string;
  /** For a mirrored origin (`origin-mirror.ts`): fetches it before refs are advertised. */
  refresh?: () => Promise<void>;
}

export type GrantLookup = (repoName: string, password: string) => Promise<GitGrant | undefined>;

const PUSH_LIMITS: PushBodyLimits = { maxBytes: 512 * 1024 * 1024, maxInflatedBytes: 32 * 1024 * 1024 };

type SmartHttpService = 'git-upload-pack' | 'git-receive-pack';

/**
 * The smart-HTTP requests served, by exact path and method. `git http-backend` matches only the
 * end of a path (`//git-receive-pack` reaches receive-pack too), so nothing else may get to it:
 * the branch rule is checked on every request that can run receive-pack.
 */
export function smartHttpService(
  method: string | undefined,
  pathInfo: string,
  query: URLSearchParams,
): SmartHttpService | { status: number; message: string } {
  const isService = (s: string | null): s is SmartHttpService =>
    s === 'git-upload-pack' || s === 'git-receive-pack';
  if (pathInfo === '/info/refs') {
    const service = query.get('service');
    return method === 'GET' && isService(service)
      ? service
      : { status: 403, message: 'only smart HTTP is served' };
  }
  const service = pathInfo.slice(1);
  if (isService(service))
    return method === 'POST' ? service : { status: 405, message: `${service} takes POST` };
  return { status: 404, message: 'no such git endpoint' };
}

/**
 * Smart-HTTP git for repositories on the control plane's machine, served by the real
 * `git http-backend`. Sandboxes never see the host's filesystem: they clone and push their
 * session's repository over HTTP with their sandbox token, and may update only their own branch.
 * URL: /git/<session id>.git/…
 */
export function createGitHttpHandler(lookup: GrantLookup) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The front door has normalised the path; the id is matched as it is, never decoded.
    const url = new URL(`http://localhost${req.url ?? '/'}`);
    const match = /^\/git\/([0-9a-z_]+)\.git(\/.*)$/.exec(url.pathname);
    if (!match) return deny(res, 404, 'no such repository');
    const pathInfo = match[2]!;
    const password = basicPassword(req.headers.authorization);
    const grant = password === undefined ? undefined : await lookup(match[1]!, password);
    if (!grant) {
      res.setHeader('www-authenticate', 'Basic realm="nightshift"');
      return deny(res, 401, 'authentication required');
    }
    const service = smartHttpService(req.method, pathInfo, url.searchParams);
    if (typeof service !== 'string') return deny(res, service.status, service.message);

    let body: Buffer | undefined;
    if (service === 'git-receive-pack' && req.method === 'POST') {
      const read = await readPushBody(req, req.headers['content-encoding'], PUSH_LIMITS);
      switch (read.kind) {
        case 'aborted':
          return void res.destroy();
        case 'too-large':
          return deny(res, 413, 'push too large', { close: true });
        case 'unsupported-encoding':
          return deny(res, 415, `content-encoding ${read.encoding} is not accepted`, { close: true });
        case 'corrupt':
          return deny(res, 400, 'the push body is not valid gzip');
      }
      body = read.body;
      const updates = parseReceivePackCommands(body);
      if (!updates) return deny(res, 400, 'malformed push');
      const refused = updates.find((u) => u.ref !== grant.pushableRef);
      if (refused)
        return deny(res, 403, `this sandbox may push only ${grant.pushableRef}, not ${refused.ref}`);
    }
    if (grant.refresh && pathInfo === '/info/refs') {
      const failed = await grant.refresh().then(
        () => null,
        (error: Error) => error.message,
      );
      if (failed) return deny(res, 502, failed);
    }
    runBackend(req, res, grant.gitDir, pathInfo, url.search.slice(1), body);
  };
}

function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  gitDir: string,
  pathInfo: string,
  query: string,
  body: Buffer | undefined,
): void {
  const headers = req.headers;
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: gitDir,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: headers['content-type'] ?? '',
      // With the body already read (and unzipped), its real length replaces the header's.
      ...(body
        ? { CONTENT_LENGTH: String(body.length) }
        : headers['content-length']
          ? { CONTENT_LENGTH: headers['content-length'] }
          : {}),
      ...(body === undefined && headers['content-encoding']
        ? { HTTP_CONTENT_ENCODING: headers['content-encoding'] }
        : {}),
      GIT_PROTOCOL: String(headers['git-protocol'] ?? ''),
      REMOTE_USER: 'nightshift-sandbox',
      REMOTE_ADDR: req.socket.remoteAddress ?? '',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'safe.directory',
      GIT_CONFIG_VALUE_0: '*',
      GIT_CONFIG_KEY_1: 'http.receivepack',
      GIT_CONFIG_VALUE_1: 'true',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (body) child.stdin.end(body);
  else req.pipe(child.stdin);
  child.stdin.on('error', () => undefined);

  let head = Buffer.alloc(0);
  let headersSent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    headersSent = true;
    res.write(head.subarray(end + 4));
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.on('close', (code) => {
    if (!headersSent)
      return deny(res, 500, `git http-backend failed (${code}): ${stderr.trim().slice(0, 300)}`);
    res.end();
  });
}

function basicPassword(header: string | undefined): string | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}

function deny(res: ServerResponse, status: number, message: string, { close = false } = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(`${message}\n`);
}
