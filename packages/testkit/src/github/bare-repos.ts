/**
 * The real git behind the fake GitHub's repositories: bare repositories on disk, their branches,
 * the commits between two of them, protected branches (a pre-receive hook refusing pushes with
 * GitHub's words) and merges made in place, as GitHub's merge button does.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createBareRepo, git } from '../git-http/repos.js';
import { repoKey, timestamp, type GitHubState, type Repo } from './state.js';

export interface CreateRepoOptions {
  owner: string;
  name: string;
  defaultBranch?: string;
  /** Files of the initial commit, path → content. Default: a README. */
  files?: Record<string, string>;
  private?: boolean;
  description?: string;
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
  message: string;
}

const PROTECTED_LIST = 'nightshift-protected-branches';

// GitHub answers a push to a protected branch with GH006 and "protected branch hook declined".
const PRE_RECEIVE = `#!/bin/sh
list="\${GIT_DIR:-.}/${PROTECTED_LIST}"
while read old new ref; do
  if [ -f "$list" ] && grep -qxF "$ref" "$list"; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    echo "error: protected branch hook declined" >&2
    exit 1
  fi
done
exit 0
`;

export async function createRepo(
  state: GitHubState,
  root: string,
  options: CreateRepoOptions,
): Promise<Repo> {
  if (state.repo(options.owner, options.name)) {
    throw new Error(`testkit GitHub: ${options.owner}/${options.name} exists already`);
  }
  const defaultBranch = options.defaultBranch ?? 'main';
  const dir = await createBareRepo(path.join(root, options.owner), options.name, {
    defaultBranch,
    files: options.files ?? { 'README.md': `# ${options.name}\n` },
    author: { name: options.owner, email: `${options.owner}@users.noreply.github.test` },
  });
  await fs.writeFile(path.join(dir, 'hooks', 'pre-receive'), PRE_RECEIVE, { mode: 0o755 });
  const repo: Repo = {
    id: state.nextId(),
    owner: options.owner,
    name: options.name,
    fullName: `${options.owner}/${options.name}`,
    defaultBranch,
    private: options.private ?? false,
    description: options.description ?? null,
    dir,
    createdAt: timestamp(),
  };
  state.repos.set(repoKey(repo.owner, repo.name), repo);
  return repo;
}

/** From now on, pushes to `branch` are refused as GitHub's branch protection refuses them. */
export async function protectBranch(repo: Repo, branch: string): Promise<void> {
  await fs.appendFile(path.join(repo.dir, PROTECTED_LIST), `refs/heads/${branch}\n`);
}

/** The commit a branch points at, or undefined when there is no such branch. */
export async function branchSha(repo: Repo, branch: string): Promise<string | undefined> {
  try {
    return await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`], repo.dir);
  } catch {
    return undefined;
  }
}

const FIELDS = ['%H', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00');

function parseCommit(record: string): CommitInfo {
  const [sha = '', parents = '', an = '', ae = '', ad = '', cn = '', ce = '', cd = '', ...message] = record
    .replace(/^\n/, '')
    .split('\0');
  return {
    sha,
    parents: parents.split(' ').filter(Boolean),
    author: { name: an, email: ae, date: ad },
    committer: { name: cn, email: ce, date: cd },
    message: message.join('\0').trimEnd(),
  };
}

/** Commits reachable from `head` and not from `base`, oldest first (GitHub's compare order). */
export async function commitsBetween(repo: Repo, base: string, head: string): Promise<CommitInfo[]> {
  const out = await git(['log', '--reverse', `--format=${FIELDS}%x1e`, `${base}..${head}`], repo.dir);
  return out
    .split('\x1e')
    .filter((r) => r.trim())
    .map(parseCommit);
}

export async function commitInfo(repo: Repo, sha: string): Promise<CommitInfo> {
  return parseCommit(await git(['show', '-s', `--format=${FIELDS}`, sha], repo.dir));
}

export async function mergeBase(repo: Repo, a: string, b: string): Promise<string | undefined> {
  try {
    return await git(['merge-base', a, b], repo.dir);
  } catch {
    return undefined;
  }
}

/**
 * Merges `head` into `base` inside the bare repository with a merge commit by `by`; undefined
 * when the two conflict (GitHub's "not mergeable").
 */
export async function mergeBranches(
  repo: Repo,
  options: { base: string; head: string; message: string; by: { name: string; email: string } },
): Promise<string | undefined> {
  const baseSha = await branchSha(repo, options.base);
  const headSha = await branchSha(repo, options.head);
  if (!baseSha || !headSha) return undefined;
  let tree: string;
  try {
    tree = (await git(['merge-tree', '--write-tree', baseSha, headSha], repo.dir)).split('\n')[0]!;
  } catch {
    return undefined;
  }
  const identity = {
    GIT_AUTHOR_NAME: options.by.name,
    GIT_AUTHOR_EMAIL: options.by.email,
    GIT_COMMITTER_NAME: 'GitHub',
    GIT_COMMITTER_EMAIL: 'noreply@github.test',
  };
  const merge = await git(
    ['commit-tree', tree, '-p', baseSha, '-p', headSha, '-m', options.message],
    repo.dir,
    identity,
  );
  await git(['update-ref', `refs/heads/${options.base}`, merge, baseSha], repo.dir);
  return merge;
}
