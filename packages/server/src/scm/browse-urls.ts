/**
 * Where a person looks at a branch or a commit in a git host's web UI, derived from the
 * repository's URL — so the timeline's commit and branch are links. Only hosts whose page layout
 * is known get links; the URL is rebuilt from host and path alone, so credentials in the
 * repository URL never end up in one.
 */
export interface BrowseUrls {
  branch(name: string): string;
  commit(sha: string): string;
}

const LAYOUTS: Record<string, { branch: string; commit: string }> = {
  'github.com': { branch: 'tree', commit: 'commit' },
  'gitlab.com': { branch: '-/tree', commit: '-/commit' },
  'bitbucket.org': { branch: 'branch', commit: 'commits' },
  'codeberg.org': { branch: 'src/branch', commit: 'commit' },
};

export function browseUrls(repo: string): BrowseUrls | null {
  const location = hostAndPath(repo.trim());
  if (!location) return null;
  const layout = LAYOUTS[location.host];
  // owner/name at least (GitLab allows groups in between); never the host's root.
  const parts = location.path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  if (!layout || parts.length < 2) return null;
  const base = `https://${location.host}/${parts.map(encodeURIComponent).join('/')}`;
  return {
    // Branch names keep their slashes: hosts read the rest of the path as the name.
    branch: (name) => `${base}/${layout.branch}/${name.split('/').map(encodeURIComponent).join('/')}`,
    commit: (sha) => `${base}/${layout.commit}/${encodeURIComponent(sha)}`,
  };
}

/** https://, ssh:// and scp-like `git@host:owner/repo.git` addresses; nothing else. */
function hostAndPath(repo: string): { host: string; path: string } | null {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(repo);
  if (scp) return { host: scp[1]!.toLowerCase(), path: scp[2]! };
  try {
    const url = new URL(repo);
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
    return { host: url.hostname.toLowerCase(), path: decodeURIComponent(url.pathname) };
  } catch {
    return null;
  }
}
