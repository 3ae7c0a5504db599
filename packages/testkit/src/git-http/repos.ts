/** Bare repositories with a first commit, for clone/push tests. */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface BareRepoOptions {
  /** The default branch (HEAD of the bare repository). Default `main`. */
  defaultBranch?: string;
  /** Files of the initial commit, path → content. Default: a README. */
  files?: Record<string, string>;
  author?: { name: string; email: string };
  message?: string;
}

/** Runs git with a fixed identity and no user/system config, so tests do not depend on the machine. */
export async function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      ...env,
    },
  });
  return stdout.trim();
}

/**
 * Creates `<root>/<name>.git` as a bare repository whose default branch holds one commit.
 * Returns the repository's path.
 */
export async function createBareRepo(
  root: string,
  name: string,
  options: BareRepoOptions = {},
): Promise<string> {
  const branch = options.defaultBranch ?? 'main';
  const author = options.author ?? { name: 'Testkit', email: 'testkit@nightshift.invalid' };
  const files = options.files ?? { 'README.md': `# ${name}\n` };
  const bare = path.join(root, name.endsWith('.git') ? name : `${name}.git`);
  await fs.mkdir(root, { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare], root);

  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-seed-'));
  try {
    await git(['init', '--quiet', `--initial-branch=${branch}`], work);
    for (const [file, content] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(work, file)), { recursive: true });
      await fs.writeFile(path.join(work, file), content);
    }
    await git(['add', '--all'], work);
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    await git(['commit', '--quiet', '-m', options.message ?? 'Initial commit'], work, identity);
    await git(['push', '--quiet', bare, `HEAD:refs/heads/${branch}`], work);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  return bare;
}
