import os from 'node:os';
import path from 'node:path';

/** The data dir the server would use: flag, else NIGHTSHIFT_DATA_DIR, else ~/.nightshift (as resolveConfig does). */
export function defaultDataDir(flagValue: string | undefined, env: NodeJS.ProcessEnv): string {
  const raw = flagValue ?? env.NIGHTSHIFT_DATA_DIR ?? '~/.nightshift';
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(expanded);
}
