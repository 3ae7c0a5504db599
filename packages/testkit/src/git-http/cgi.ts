/**
 * The small part of CGI that `git http-backend` needs: request → environment, and splitting its
 * output into a status, headers and the body that follows. Pure.
 */

export interface CgiRequest {
  method: string;
  /** Path inside the project root, e.g. `/repo.git/info/refs`. */
  pathInfo: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  remoteUser: string;
  remoteAddr: string;
}

export function cgiEnvironment(request: CgiRequest, projectRoot: string): Record<string, string> {
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    GIT_PROJECT_ROOT: projectRoot,
    // Serve every repository under the root without a `git-daemon-export-ok` marker file.
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: request.pathInfo,
    REQUEST_METHOD: request.method,
    QUERY_STRING: request.query,
    REMOTE_USER: request.remoteUser,
    REMOTE_ADDR: request.remoteAddr,
    CONTENT_TYPE: header('content-type'),
  };
  if (header('content-length')) env.CONTENT_LENGTH = header('content-length');
  // git sends pushes gzip-compressed; http-backend inflates them itself when told.
  if (header('content-encoding')) env.HTTP_CONTENT_ENCODING = header('content-encoding');
  // Protocol v2 negotiation travels in this header.
  if (header('git-protocol')) env.GIT_PROTOCOL = header('git-protocol');
  return env;
}

export interface CgiHead {
  status: number;
  headers: [string, string][];
  /** Bytes after the header block, the start of the body. */
  rest: Buffer;
}

/** Parses the CGI header block once it is complete; undefined while more output is needed. */
export function parseCgiHead(output: Buffer): CgiHead | undefined {
  const crlf = output.indexOf('\r\n\r\n');
  const lf = output.indexOf('\n\n');
  const candidates = [
    crlf >= 0 ? { at: crlf, length: 4 } : undefined,
    lf >= 0 ? { at: lf, length: 2 } : undefined,
  ].filter((c): c is { at: number; length: number } => c !== undefined);
  if (candidates.length === 0) return undefined;
  const end = candidates.reduce((a, b) => (a.at <= b.at ? a : b));
  const lines = output.subarray(0, end.at).toString('latin1').split(/\r?\n/);
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
    else headers.push([name, value]);
  }
  return { status, headers, rest: output.subarray(end.at + end.length) };
}
