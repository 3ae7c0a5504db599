/**
 * After a prompt: commit whatever changed (author = the prompt's author, committer = the bot),
 * and push the session branch to the origin. Never the base branch.
 */
import type { Author, CommitInfo } from '@nightshift/protocol';
import { identityEnv } from './identity.js';
import { commitMessage } from './message.js';
import type { GitRemote } from './remote.js';
import { GitError, runGit, tryGit, type GitEnv } from './run.js';
import { scrub } from './scrub.js';
import { withholdSecretFiles, type WithheldFile } from '../secrets/commit-guard.js';

export interface PublishOptions {
  workspace: string;
  remote: GitRemote;
  baseBranch: string;
  branch: string;
  author: Author;
  bot: Author;
  promptText: string;
  git: GitEnv;
  /** Secret values by name: a staged file holding one is left out of the commit. */
  secrets?: Record<string, string>;
}

/**
 * `commit` is what was published: this prompt's commit, a commit the agent made itself, or earlier
 * ones whose push failed; null when the branch on the origin already has everything.
 */
export type PublishResult = (
  | { ok: true; commit: CommitInfo | null }
  /** The commit was made but could not be pushed; `error` is git's message, credentials scrubbed. */
  | { ok: false; commit: CommitInfo | null; error: string }
) & {
  /** Left out of this commit (and of the index), still in the workspace; absent when none were. */
  withheld?: WithheldFile[];
};

export async function headOf(workspace: string, git: GitEnv): Promise<string> {
  return runGit(['rev-parse', 'HEAD'], workspace, git);
}

export async function publish(options: PublishOptions): Promise<PublishResult> {
  const { workspace, git, branch } = options;
  assertPushable(branch, options.baseBranch);
  await returnToSessionBranch(options);

  await runGit(['add', '--all'], workspace, git);
  const withheld = await withholdSecretFiles(workspace, git, options.secrets ?? {});
  const left = withheld.length > 0 ? { withheld } : {};
  const staged = (await tryGit(['diff', '--cached', '--quiet'], workspace, git)).code === 1;
  if (staged) {
    // --no-verify: the repository's hooks are not ours to run here (the agent runs what it needs);
    // --cleanup=whitespace keeps prompt lines that start with '#'.
    await runGit(
      ['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '-m', commitMessage(options.promptText)],
      workspace,
      git,
      identityEnv(options.author, options.bot),
    );
  }
  const head = await headOf(workspace, git);
  // What the origin already has: the session branch, or before its first push the base branch.
  const published = (await remoteRef(options, branch)) ?? (await remoteRef(options, options.baseBranch));
  if (head === published) return { ok: true, commit: null, ...left };
  // Something to publish: this prompt's commit(s), or earlier ones whose push failed.
  const info = { ...(await commitInfo(options, head)), ...left };
  // To the origin's URL as the control plane gave it, not `origin`: the agent can repoint that.
  const pushed = await tryGit(
    ['push', '--quiet', '--porcelain', '--no-verify', options.remote.url, `HEAD:refs/heads/${branch}`],
    workspace,
    git,
  );
  if (pushed.code !== 0) {
    const detail = (pushed.stderr.trim() || pushed.stdout.trim()).slice(-2000);
    return {
      ok: false,
      commit: { ...info, pushed: false },
      ...left,
      error: scrub(`git push to ${options.remote.url} failed: ${detail}`, git.secrets),
    };
  }
  // Keep the remote-tracking ref in step, so the next prompt knows what is already published.
  await runGit(['update-ref', `refs/remotes/origin/${branch}`, head], workspace, git);
  return { ok: true, commit: { ...info, pushed: true }, ...left };
}

/** The session branch must never be the base branch: that push would rewrite the team's branch. */
export function assertPushable(branch: string, baseBranch: string): void {
  if (branch === baseBranch || branch === `refs/heads/${baseBranch}`)
    throw new GitError(`refusing to push to the base branch ${baseBranch}`, null);
}

/** The agent may have switched branches; its changes belong on the session branch. */
async function returnToSessionBranch({ workspace, branch, git }: PublishOptions) {
  const current = await tryGit(['symbolic-ref', '--quiet', '--short', 'HEAD'], workspace, git);
  if (current.code === 0 && current.stdout.trim() === branch) return;
  const switched = await tryGit(['checkout', '--quiet', branch], workspace, git);
  if (switched.code !== 0)
    throw new GitError(
      `the agent left the workspace on ${current.stdout.trim() || 'a detached HEAD'} and its changes cannot be moved to ${branch}: ${switched.stderr.trim()}`,
      switched.code,
    );
}

async function remoteRef({ workspace, git }: PublishOptions, branch: string): Promise<string | null> {
  const r = await tryGit(
    ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${branch}`],
    workspace,
    git,
  );
  return r.code === 0 ? r.stdout.trim() : null;
}

async function commitInfo(options: PublishOptions, sha: string): Promise<CommitInfo> {
  const format = await runGit(
    ['log', '-1', '--format=%an%x00%ae%x00%B', sha],
    options.workspace,
    options.git,
  );
  const [name = '', email = '', ...message] = format.split('\0');
  return {
    sha,
    branch: options.branch,
    message: message.join('\0').trim(),
    author: { name, email },
    pushed: false,
    remoteUrl: options.remote.url,
  };
}
