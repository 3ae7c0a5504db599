import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Who made the demo repository's first commit; not the prompt author, who gets the agent's commit. */
const SEED_IDENTITY = ['-c', 'user.name=Nightshift demo', '-c', 'user.email=demo@nightshift.local'];

/** The files of the throwaway repository: small, but enough to look like a project. */
export const DEMO_REPO_FILES: Record<string, string> = {
  'README.md': [
    '# greeter',
    '',
    'A tiny project created by `nightshift demo` to show a session end to end.',
    'Run it with `node greet.js Ada`.',
    '',
  ].join('\n'),
  'greet.js': ["const name = process.argv[2] ?? 'world';", 'console.log(`Hello, ${name}!`);', ''].join('\n'),
  'package.json': JSON.stringify({ name: 'greeter', version: '1.0.0', private: true }, null, 2) + '\n',
};

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, { cwd, timeout: 30_000 });
  return stdout;
}

/** Creates a git repository with one commit on `main` holding DEMO_REPO_FILES. */
export async function createDemoRepo(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(DEMO_REPO_FILES)) {
    writeFileSync(path.join(dir, name), content);
  }
  await git(dir, ['init', '--quiet', '--initial-branch', 'main']);
  await git(dir, ['add', '.']);
  await git(dir, [...SEED_IDENTITY, 'commit', '--quiet', '--no-verify', '-m', 'Start the greeter project']);
}

export interface RepoCommit {
  sha: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  subject: string;
}

/** The commit a branch of the repository points at, read from git itself; undefined if there is none. */
export async function readBranchHead(dir: string, branch: string): Promise<RepoCommit | undefined> {
  try {
    const out = await git(dir, [
      'log',
      '-1',
      '--format=%H%x00%an%x00%ae%x00%cn%x00%ce%x00%s',
      `refs/heads/${branch}`,
    ]);
    const [sha = '', an = '', ae = '', cn = '', ce = '', subject = ''] = out.trim().split('\0');
    return { sha, author: { name: an, email: ae }, committer: { name: cn, email: ce }, subject };
  } catch {
    return undefined;
  }
}
