import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from '../errors.js';

/** What `nightshift login` keeps for one server. */
export interface Credential {
  token: string;
  email: string;
  name: string;
  savedAt: string;
}

/** Server origin → its credential. */
export type Credentials = Record<string, Credential>;

/** `$XDG_CONFIG_HOME/nightshift/credentials.json`, `~/.config/nightshift/credentials.json` without it. */
export function credentialsPath(env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.config');
  return path.join(configHome, 'nightshift', 'credentials.json');
}

/**
 * Credentials are kept per origin: a server is one origin whatever path the URL names, and
 * `http://host:7070/` and `http://host:7070` must find the same token.
 */
export function serverKey(serverUrl: string): string {
  return new URL(serverUrl).origin;
}

export function readCredentials(file: string): Credentials {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CliError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isCredentials(parsed)) {
    throw new CliError(
      `${file} is not a Nightshift credentials file: remove it and run \`nightshift login\``,
    );
  }
  return parsed;
}

/**
 * Writes the whole file anew, never in place: a crash midway leaves the old file, and the token
 * is never readable by anyone else, not even for an instant (the file is created 0600 in a
 * directory that is 0700).
 */
export function writeCredentials(file: string, credentials: Credentials): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = path.join(dir, `.credentials-${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  renameSync(temporary, file);
}

export function storedCredential(env: NodeJS.ProcessEnv, serverUrl: string): Credential | undefined {
  return readCredentials(credentialsPath(env))[serverKey(serverUrl)];
}

export function saveCredential(env: NodeJS.ProcessEnv, serverUrl: string, credential: Credential): void {
  const file = credentialsPath(env);
  writeCredentials(file, { ...readCredentials(file), [serverKey(serverUrl)]: credential });
}

/** Forgets the server's credential; false when there was none. */
export function forgetCredential(env: NodeJS.ProcessEnv, serverUrl: string): boolean {
  const file = credentialsPath(env);
  const credentials = readCredentials(file);
  const key = serverKey(serverUrl);
  if (!(key in credentials)) return false;
  delete credentials[key];
  writeCredentials(file, credentials);
  return true;
}

function isCredentials(value: unknown): value is Credentials {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every(
    (entry: unknown) =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as Credential).token === 'string' &&
      typeof (entry as Credential).email === 'string' &&
      typeof (entry as Credential).name === 'string' &&
      typeof (entry as Credential).savedAt === 'string',
  );
}
