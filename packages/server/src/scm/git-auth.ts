import type { GrantLookup } from './git-http.js';
import { localGitDir } from './local-repo.js';

export interface SandboxGitAuthOptions {
  /** The session whose running sandbox holds this token, if any. */
  sessionForToken(token: string): string | undefined;
  session(sessionId: string): Promise<{ repo: string; branch: string } | undefined>;
}

/**
 * Who may use the git endpoint: a running sandbox, with its own token, for its own session's
 * repository only, and pushing only that session's branch.
 */
export function sandboxGitGrants(options: SandboxGitAuthOptions): GrantLookup {
  return async (sessionId, password) => {
    if (options.sessionForToken(password) !== sessionId) return undefined;
    const session = await options.session(sessionId);
    if (!session) return undefined;
    return { gitDir: await localGitDir(session.repo), pushableRef: `refs/heads/${session.branch}` };
  };
}
