import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Author, describeIssues } from '@nightshift/protocol';
import { UsageError } from '../errors.js';

const execFileAsync = promisify(execFile);

const NO_AUTHOR =
  'no author: pass --author "Name <email>", or set git config --global user.name and user.email';

/** Parses `Name <email>` into an Author, with a usage error that says what is wrong. */
export function parseAuthor(value: string): Author {
  const match = /^\s*(.+?)\s*<([^<>]+)>\s*$/.exec(value);
  if (!match) throw new UsageError(`--author: expected "Name <email>", got "${value}"`);
  const parsed = Author.safeParse({ name: match[1], email: match[2] });
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error, '--author'));
  return parsed.data;
}

/** The author from git's configuration as seen from `cwd`, or undefined when it is incomplete. */
export async function gitAuthor(cwd: string): Promise<Author | undefined> {
  const read = async (key: string) => {
    try {
      const { stdout } = await execFileAsync('git', ['config', '--get', key], { cwd, timeout: 5000 });
      return stdout.trim();
    } catch {
      return '';
    }
  };
  const [name, email] = await Promise.all([read('user.name'), read('user.email')]);
  const parsed = Author.safeParse({ name, email });
  return parsed.success ? parsed.data : undefined;
}

export async function resolveAuthor(flagValue: string | undefined, cwd: string): Promise<Author> {
  if (flagValue !== undefined) return parseAuthor(flagValue);
  const fromGit = await gitAuthor(cwd);
  if (!fromGit) throw new UsageError(NO_AUTHOR);
  return fromGit;
}
