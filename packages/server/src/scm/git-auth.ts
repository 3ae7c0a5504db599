import { createHmac } from 'node:crypto';
import type { GrantLookup } from './git-http.js';
import { isLocalRepo, localGitDir } from './local-repo.js';
import type { OriginMirrors } from './origin-mirror.js';

export interface SandboxGitAuthOptions {
  /** The session whose running sandbox was given this git password (`gitPasswordFor`), if any. */
  sessionForGitPassword(password: string): string | undefined;
  session(sessionId: string): Promise<{ repo: string; branch: string } | undefined>;
  /** Remote origins are served from mirrors; without them only local repositories are. */
  mirrors?: OriginMirrors;
}

/**
 * The password a sandbox's git uses on the git endpoint, derived from its sandbox token's hash.
 * Git runs as an ordinary (dumpable) process whose environment the agent can read, so it gets
 * this rather than the token: it opens the git endpoint for the sandbox's own session only —
 * fetching its repository and pushing its branch, which the agent's commits reach anyway — and
 * not the bridge.
 */
export function gitPasswordFor(tokenHash: string): string {
  return createHmac('sha256', tokenHash).update('nightshift git endpoint').digest('hex');
}

/**
 * Who may use the git endpoint: a running sandbox, with its own git password, for its own
 * session's repository only, and pushing only that session's branch. A remote origin is served
 * from the control plane's mirror of it, fetched before refs are read and pushed on to the origin.
 */
export function sandboxGitGrants(options: SandboxGitAuthOptions): GrantLookup {
  return async (sessionId, password) => {
    if (options.sessionForGitPassword(password) !== sessionId) return undefined;
    const session = await options.session(sessionId);
    if (!session) return undefined;
    const pushableRef = `refs/heads/${session.branch}`;
    if (isLocalRepo(session.repo)) return { gitDir: await localGitDir(session.repo), pushableRef };
    if (!options.mirrors) return undefined;
    const { gitDir, refresh } = await options.mirrors.mirrorOf(session.repo);
    return { gitDir, pushableRef, refresh };
  };
}
