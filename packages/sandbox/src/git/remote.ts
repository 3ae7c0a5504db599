/**
 * Where the origin is and how to authenticate to it. Credentials are kept apart from the URL so
 * the URL can be written into `.git/config`, events and logs while the secret never is.
 */
import { withConfig } from './run.js';

export interface GitCredentials {
  username: string;
  password: string;
}

export interface GitRemote {
  /** The origin as git is given it: an http(s)/file/ssh URL or a local path, without credentials. */
  url: string;
  /** For http(s) only; sent as an `Authorization` header through the environment of each git call. */
  credentials: GitCredentials | null;
}

/**
 * Splits credentials off an http(s) URL (`https://user:pass@host/x.git`); explicit credentials win.
 * Other URL kinds are returned unchanged.
 */
export function parseRemote(raw: string, explicit?: Partial<GitCredentials>): GitRemote {
  if (!/^https?:\/\//i.test(raw)) return { url: raw, credentials: null };
  const url = new URL(raw);
  const fromUrl =
    url.username || url.password
      ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) }
      : null;
  url.username = '';
  url.password = '';
  const username = explicit?.username ?? fromUrl?.username;
  const password = explicit?.password ?? fromUrl?.password;
  const credentials =
    username !== undefined || password !== undefined
      ? { username: username ?? '', password: password ?? '' }
      : null;
  return { url: url.toString(), credentials };
}

/**
 * Environment for one git process that authenticates to the remote: `http.<url>.extraHeader` set
 * through GIT_CONFIG_* variables, which git reads like command-line `-c` options but which do not
 * show in the process list, and which never reach `.git/config`. Scoped to the remote's URL so the
 * header is not sent to any other host (submodules, redirects elsewhere).
 */
export function credentialEnv(remote: GitRemote): Record<string, string> {
  const env: Record<string, string> = {
    // Never hang on a prompt for a username nobody is there to type.
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
  };
  if (!remote.credentials) return env;
  const { username, password } = remote.credentials;
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  return withConfig(env, [[`http.${remote.url}.extraHeader`, `Authorization: Basic ${basic}`]]);
}

/** The strings that must never appear in anything we show: the password and its header forms. */
export function remoteSecrets(remote: GitRemote): string[] {
  if (!remote.credentials) return [];
  const { username, password } = remote.credentials;
  return [password, Buffer.from(`${username}:${password}`).toString('base64')].filter((s) => s.length >= 4);
}
