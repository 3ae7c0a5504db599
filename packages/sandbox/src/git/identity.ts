/**
 * Who a prompt's commits belong to. Written into the workspace's own config before the turn, so
 * commits the agent makes itself carry the same author and committer as the ones we make after.
 */
import type { Author } from '@nightshift/protocol';
import { runGit, type GitEnv } from './run.js';

export async function setPromptIdentity(
  workspace: string,
  author: Author,
  bot: Author,
  git: GitEnv,
): Promise<void> {
  const set = (key: string, value: string) => runGit(['config', '--local', key, value], workspace, git);
  await set('user.name', author.name);
  await set('user.email', author.email);
  // git ≥ 2.22: committer.* override user.* for the committer only.
  await set('committer.name', bot.name);
  await set('committer.email', bot.email);
}

/** Environment that forces the identities on one git call, whatever the config says. */
export function identityEnv(author: Author, bot: Author): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: bot.name,
    GIT_COMMITTER_EMAIL: bot.email,
  };
}
