import { UsageError } from '../errors.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:7070';

/** `--server`, else `NIGHTSHIFT_URL`, else the local default; normalised without a trailing slash. */
export function resolveServerUrl(flagValue: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = flagValue ?? (env.NIGHTSHIFT_URL?.trim() || DEFAULT_SERVER_URL);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`--server: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server: "${raw}" must be an http:// or https:// URL`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** Where the web UI shows a session. */
export function sessionWebUrl(serverUrl: string, sessionId: string): string {
  return `${serverUrl}/sessions/${encodeURIComponent(sessionId)}`;
}
