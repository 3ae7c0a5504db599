import os from 'node:os';
import path from 'node:path';

/**
 * The data dir the server would use: flag, else NIGHTSHIFT_DATA_DIR, else the default of
 * resolveConfig (/var/lib/nightshift for root, ~/.nightshift otherwise).
 */
export function defaultDataDir(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv,
  uid: number | undefined = process.getuid?.(),
): string {
  const raw = flagValue ?? env.NIGHTSHIFT_DATA_DIR ?? (uid === 0 ? '/var/lib/nightshift' : '~/.nightshift');
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(expanded);
}
