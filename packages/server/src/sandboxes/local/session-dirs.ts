import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ensureOwnedDirectory, mkdirDirect } from './owned-directory.js';
import { mountWorkspaceQuota, type QuotaOutcome } from './workspace-quota.js';

export interface SessionDirs {
  sessionDir: string;
  workspace: string;
  state: string;
  quota: QuotaOutcome;
}

/**
 * A session's directories on the host, ready for its next sandbox: the session's own (root's, so
 * the sandbox can reach through it but not rename what is in it), its workspace (with its
 * quota, when there is one) and its state with `home`, owned by the sandbox's uid. The workspace,
 * state and home may hold whatever the previous sandbox left there, so they are prepared without
 * following links (`owned-directory.ts`).
 */
export async function prepareSessionDirs(
  root: string,
  sessionId: string,
  owner: { uid: number; gid: number } | undefined,
  quotaBytes: number | null,
): Promise<SessionDirs> {
  const sessionDir = path.join(root, sessionId);
  const workspace = path.join(sessionDir, 'workspace');
  const state = path.join(sessionDir, 'state');
  const home = path.join(state, 'home');
  mkdirSync(sessionDir, { recursive: true });
  if (!owner) {
    for (const dir of [workspace, state, home]) mkdirDirect(dir);
    return { sessionDir, workspace, state, quota: { quota: false, reason: 'the server is not root' } };
  }
  chownSync(sessionDir, 0, 0);
  chmodSync(sessionDir, 0o711);
  // The workspace and state directories themselves sit in the session's directory, which the
  // sandbox cannot write; only what is inside them is the sandbox's.
  mkdirDirect(workspace);
  const quota =
    quotaBytes === null
      ? ({ quota: false, reason: 'workspace quotas are unavailable here' } as const)
      : await mountWorkspaceQuota(sessionDir, workspace, quotaBytes);
  ensureOwnedDirectory(workspace, owner);
  ensureOwnedDirectory(state, owner);
  ensureOwnedDirectory(home, owner);
  return { sessionDir, workspace, state, quota };
}
