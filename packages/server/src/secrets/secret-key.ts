/**
 * The key secrets are sealed with: NIGHTSHIFT_SECRET_KEY when the operator gives one (checked by
 * config.ts), else `<data dir>/secret.key`, generated once and private to the server's user.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, decodeSecretKey } from '../config.js';

export const SECRET_KEY_FILE = 'secret.key';

export function loadSecretKey(configured: Buffer | null, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, SECRET_KEY_FILE);
  // Exclusive: two servers starting on one data dir must not each write a key of their own.
  try {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readKeyFile(file);
}

function readKeyFile(file: string): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const stat = fstatSync(fd);
    if ((stat.mode & 0o077) !== 0)
      throw new ConfigError(
        `${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}): it holds the key to every secret; chmod 600 it`,
      );
    const key = decodeSecretKey(readFileSync(fd, 'utf8'));
    if (!key)
      throw new ConfigError(
        `${file} does not hold a 32-byte base64 key; restore it, or set NIGHTSHIFT_SECRET_KEY`,
      );
    return key;
  } finally {
    closeSync(fd);
  }
}
