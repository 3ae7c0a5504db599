/**
 * The artifacts a prompt's commit brings, and the security rule for their links: they come from
 * the session's own repository and branch, never from what the sandbox reports. The sandbox is
 * the agent's to subvert, and a link is shown to everyone in the session.
 */
import type { Artifact, CommitInfo } from '@nightshift/protocol';
import { browseUrls } from '../scm/browse-urls.js';

type NewArtifact = Omit<Artifact, 'id' | 'createdAt'>;

/** The session's repository (as created, with any credentials) and branch. */
export interface SessionPlace {
  repo: string;
  branch: string;
}

/**
 * The commit's artifact, and the branch's when the commit was pushed (the branch is announced
 * once per session: whether it already was is the caller's to know).
 */
export function commitArtifacts(
  commit: CommitInfo,
  messageId: string,
  session: SessionPlace | undefined,
): { commit: NewArtifact; branch: NewArtifact | null } {
  const browse = session ? browseUrls(session.repo) : null;
  return {
    commit: {
      type: 'commit',
      // Only a pushed commit is there to be looked at on the host, and only a sha is one.
      url: commit.pushed && /^[0-9a-f]{7,64}$/.test(commit.sha) ? (browse?.commit(commit.sha) ?? null) : null,
      data: { ...commit, messageId },
    },
    branch: commit.pushed
      ? {
          type: 'branch',
          url: session ? (browse?.branch(session.branch) ?? null) : null,
          data: { branch: commit.branch, sha: commit.sha, messageId },
        }
      : null,
  };
}
