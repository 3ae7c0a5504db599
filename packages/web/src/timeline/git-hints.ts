/**
 * A local repository has no web page to link a commit or branch to, but it is on the machine the
 * person is using: a command they can paste shows the agent's work there.
 */

/** The directory of a repository on this machine (an absolute path or a file:// URL), else null. */
export function localRepoPath(repo: string): string | null {
  if (repo.startsWith('/')) return repo;
  if (!repo.startsWith('file://')) return null;
  try {
    return decodeURIComponent(new URL(repo).pathname) || null;
  } catch {
    return null;
  }
}

/** Quotes for a POSIX shell, only when needed, so the common case stays readable. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Twelve hex digits stay unambiguous in any repository a person is likely to have. */
export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

export function showCommitCommand(repoPath: string, sha: string): string {
  return `git -C ${shellQuote(repoPath)} show ${shortSha(sha)}`;
}

/** Everything the session changed, against where it started (three dots: since they diverged). */
export function branchDiffCommand(repoPath: string, baseBranch: string, branch: string): string {
  return `git -C ${shellQuote(repoPath)} diff ${shellQuote(`${baseBranch}...${branch}`)}`;
}

/** The host name of a git URL (https://, ssh://, scp-like `git@host:path`), lower-case; else null. */
export function repoHost(repo: string): string | null {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)/.exec(repo);
  if (scp) return scp[1]!.toLowerCase();
  try {
    return new URL(repo).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/**
 * Whether a commit or branch link points into the session's own git host. The server builds links
 * from the session's repository, not from what a sandbox reports; this check keeps that promise
 * in the one place every link is shown, should a stored link ever say otherwise.
 */
export function linksIntoRepoHost(url: string, repo: string): boolean {
  const host = repoHost(repo);
  if (!host) return false;
  try {
    const link = new URL(url);
    return (link.protocol === 'https:' || link.protocol === 'http:') && link.hostname.toLowerCase() === host;
  } catch {
    return false;
  }
}
