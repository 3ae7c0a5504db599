import { UsageError } from '../errors.js';
import { storedCredential } from './credentials.js';

/** Where a command's token came from, so a refusal can say what to do about it. */
export type TokenSource = '--token' | 'NIGHTSHIFT_TOKEN' | 'credentials';

export interface ChosenToken {
  token: string;
  source: TokenSource;
}

/**
 * What API tokens look like on the wire: one header value of visible ASCII. Anything else is a
 * paste gone wrong, refused before it is sent (and never echoed back: it may be most of a token).
 */
const TOKEN_SHAPE = /^[\x21-\x7e]{1,512}$/;

export function checkTokenShape(token: string, where: string): string {
  const trimmed = token.trim();
  if (trimmed === '') throw new UsageError(`${where}: no token given`);
  if (!TOKEN_SHAPE.test(trimmed)) {
    throw new UsageError(`${where}: not an API token (expected up to 512 visible characters, no spaces)`);
  }
  return trimmed;
}

/** `--token`, else NIGHTSHIFT_TOKEN, else what `nightshift login` stored for this server; none in local mode. */
export function chooseToken(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  serverUrl: string,
): ChosenToken | undefined {
  if (flagValue !== undefined) return { token: checkTokenShape(flagValue, '--token'), source: '--token' };
  const fromEnv = env.NIGHTSHIFT_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { token: checkTokenShape(fromEnv, 'NIGHTSHIFT_TOKEN'), source: 'NIGHTSHIFT_TOKEN' };
  }
  const stored = storedCredential(env, serverUrl);
  return stored ? { token: stored.token, source: 'credentials' } : undefined;
}
