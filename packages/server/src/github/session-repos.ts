import { probeRepo, RepoUnreadable, type RepoInfo } from '../scm/repo-probe.js';
import { notConfigured } from './errors.js';
import type { GitHubCodeHost } from './github-code-host.js';

const OWNER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/;

/**
 * The repository a session stores for what it was asked for: `owner/name`, or a URL, of an
 * installed repository becomes its clone URL `<NIGHTSHIFT_GITHUB_URL>/<owner>/<name>.git`, so
 * one repository has one name wherever it is keyed (allow-lists, secrets, mirrors).
 */
export async function sessionRepoFor(host: GitHubCodeHost | null, ref: string): Promise<string> {
  if (!host) {
    if (OWNER_NAME.test(ref.trim())) throw notConfigured();
    return ref;
  }
  return (await host.resolveRepo(ref))?.url ?? ref;
}

/**
 * Before a session is accepted: an installed repository is asked of GitHub with the App's
 * token (git could not read a private one anonymously); any other repository, of git.
 */
export function hostAwareProbe(host: GitHubCodeHost | null) {
  return async (repo: string, baseBranch: string | undefined): Promise<RepoInfo> => {
    const resolved = host && (await host.resolveRepo(repo));
    if (!resolved) return probeRepo(repo, baseBranch);
    if (baseBranch !== undefined && baseBranch !== resolved.defaultBranch) {
      if (!(await host.hasBranch(resolved, baseBranch)))
        throw new RepoUnreadable(`baseBranch: the repository has no branch named "${baseBranch}"`);
    }
    return { defaultBranch: resolved.defaultBranch };
  };
}
