import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Author } from '@nightshift/protocol';
import { tempDir } from './harness.js';

/**
 * A commit on `branch` straight into a testkit GitHub repository's bare directory, as a sandbox's
 * push through the mirror would leave it: what a pull request needs to be ahead of its base.
 */
export function pushCommit(bareDir: string, branch: string, file: string, author: Author): void {
  const work = tempDir('ns-gh-work-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, stdio: 'pipe' });
  git('clone', '-q', bareDir, '.');
  git('checkout', '-q', '-B', branch);
  writeFileSync(path.join(work, file), 'change\n');
  git('add', file);
  git(
    '-c',
    `user.name=${author.name}`,
    '-c',
    `user.email=${author.email}`,
    'commit',
    '-q',
    '-m',
    `change ${file}`,
  );
  git('push', '-q', 'origin', branch);
}
