/**
 * One request answered by the real `git http-backend` (CGI), with pushes enabled: the request
 * streams into it, its output streams back. Shared by the plain git server and the GitHub one.
 */
import { spawn } from 'node:child_process';
import type http from 'node:http';
import { cgiEnvironment, parseCgiHead } from './cgi.js';

export interface HttpBackendRequest {
  /** Directory holding the bare repositories. */
  root: string;
  /** Path under the root, e.g. `/owner/name.git/info/refs`. */
  pathInfo: string;
  query: string;
  remoteUser: string;
}

/** Resolves with the status sent once the answer has ended. */
export function serveHttpBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  request: HttpBackendRequest,
): Promise<number> {
  return new Promise((resolve) => {
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        // Allow pushes whatever the repository's own config says.
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.receivepack',
        GIT_CONFIG_VALUE_0: 'true',
        ...cgiEnvironment(
          {
            method: req.method ?? 'GET',
            pathInfo: request.pathInfo,
            query: request.query,
            headers: req.headers,
            remoteUser: request.remoteUser,
            remoteAddr: req.socket.remoteAddress ?? '127.0.0.1',
          },
          request.root,
        ),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    req.pipe(backend.stdin);
    backend.stdin.on('error', () => {}); // the backend may exit before reading everything (e.g. 404)

    let pending: Buffer = Buffer.alloc(0);
    let status: number | undefined;
    let stderr = '';
    backend.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    backend.stdout.on('data', (chunk: Buffer) => {
      if (status !== undefined) return void res.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      const head = parseCgiHead(pending);
      if (!head) return;
      status = head.status;
      res.writeHead(head.status, head.headers);
      if (head.rest.length > 0) res.write(head.rest);
    });
    backend.on('close', (code) => {
      if (status === undefined) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`git http-backend exited with ${code}: ${stderr}`);
        return resolve(500);
      }
      res.end();
      resolve(status);
    });
    res.on('close', () => {
      if (backend.exitCode === null) backend.kill();
    });
  });
}
