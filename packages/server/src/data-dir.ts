import { accessSync, constants, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.js';

/**
 * Creates the data dir (private to the server's user) and proves it can be written, before the
 * database is opened in it: a wrong --data-dir is then one line saying so, not a SQLite error.
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    const probe = path.join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `data dir ${dir} is not writable (${code}); choose another with --data-dir or NIGHTSHIFT_DATA_DIR`,
    );
  }
}
