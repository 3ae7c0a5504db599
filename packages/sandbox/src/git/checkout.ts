/**
 * Getting the workspace onto the session branch: a clone on a fresh start, a quick fetch + reset
 * when the workspace survived from an earlier sandbox. The session branch is resumed from the
 * origin when it exists there, else created from the base branch.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { GitRemote } from './remote.js';
import { GitError, runGit, tryGit, type GitEnv } from './run.js';

export interface CheckoutOptions {
  workspace: string;
  remote: GitRemote;
  baseBranch: string;
  branch: string;
  git: GitEnv;
}

export interface CheckoutResult {
  /** `clone` on a fresh workspace, `sync` when an existing checkout was brought up to date. */
  mode: 'clone' | 'sync';
  /** Where the session branch came from. */
  source: 'origin-branch' | 'base-branch' | 'local';
  head: string;
}

/** Whether the workspace already holds a checkout (a restarted or restored sandbox). */
export async function hasCheckout(workspace: string): Promise<boolean> {
  return fs
    .stat(path.join(workspace, '.git'))
    .then(() => true)
    .catch(() => false);
}

export async function checkout(options: CheckoutOptions): Promise<CheckoutResult> {
  const { workspace, remote, git } = options;
  let mode: CheckoutResult['mode'];
  if (await hasCheckout(workspace)) {
    mode = 'sync';
    // The URL may have changed between sandboxes (e.g. a new control-plane port).
    await runGit(['remote', 'set-url', 'origin', remote.url], workspace, git);
  } else {
    mode = 'clone';
    await fs.mkdir(workspace, { recursive: true });
    if ((await fs.readdir(workspace)).length > 0)
      throw new GitError(`the workspace ${workspace} is not empty and holds no git checkout`, null);
    await runGit(
      ['clone', '--quiet', '--no-checkout', '--origin', 'origin', remote.url, '.'],
      workspace,
      git,
    );
  }
  await runGit(['fetch', '--quiet', '--prune', 'origin'], workspace, git);
  const source = await switchToSessionBranch(options);
  const head = await runGit(['rev-parse', 'HEAD'], workspace, git);
  return { mode, source, head };
}

async function switchToSessionBranch(options: CheckoutOptions): Promise<CheckoutResult['source']> {
  const { workspace, baseBranch, branch, git } = options;
  const remoteBranch = `refs/remotes/origin/${branch}`;
  const remoteBase = `refs/remotes/origin/${baseBranch}`;
  const localBranch = `refs/heads/${branch}`;
  const exists = async (ref: string) =>
    (await tryGit(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], workspace, git)).code === 0;

  const [onOrigin, baseOnOrigin, local] = await Promise.all([
    exists(remoteBranch),
    exists(remoteBase),
    exists(localBranch),
  ]);
  if (!onOrigin && !baseOnOrigin)
    throw new GitError(`the base branch ${baseBranch} does not exist on the origin`, null);

  // Commits made here but never pushed (a push that failed before this restart) are kept: the
  // next prompt's push publishes them. Anything else follows the origin.
  if (local) {
    const upstream = onOrigin ? remoteBranch : remoteBase;
    const ahead =
      (await tryGit(['merge-base', '--is-ancestor', localBranch, upstream], workspace, git)).code !== 0;
    if (ahead) {
      await resetTo(localBranch, options);
      return 'local';
    }
  }
  await resetTo(onOrigin ? remoteBranch : remoteBase, options);
  return onOrigin ? 'origin-branch' : 'base-branch';
}

/** Puts the session branch at `ref` with a clean working tree (what an aborted turn left is dropped). */
async function resetTo(ref: string, { workspace, branch, git }: CheckoutOptions) {
  await runGit(['checkout', '--quiet', '--force', '--no-track', '-B', branch, ref], workspace, git);
  await runGit(['reset', '--quiet', '--hard', ref], workspace, git);
  // Untracked leftovers would otherwise be committed for the next prompt's author; ignored files
  // (dependencies, build output) stay, which is what makes a restart quick.
  await runGit(['clean', '--quiet', '-fd'], workspace, git);
}
