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

interface Layout {
  branch: string;
  commit: string;
}

const GITHUB: Layout = { branch: 'tree', commit: 'commit' };
const GITLAB: Layout = { branch: '-/tree', commit: '-/commit' };
const GITEA: Layout = { branch: 'src/branch', commit: 'commit' };

const LAYOUTS: Record<string, Layout> = {
  'github.com': GITHUB,
  'gitlab.com': GITLAB,
  'bitbucket.org': { branch: 'branch', commit: 'commits' },
  'codeberg.org': GITEA,
};

/**
 * A self-hosted forge is recognised by the name it is usually given (gitlab.example.com,
 * github.example.com for GitHub Enterprise, gitea./forgejo.): a guess that is right far more
 * often than not, where any other host gets no link rather than a wrong one.
 */
const SELF_HOSTED: Record<string, Layout> = {
  gitlab: GITLAB,
  github: GITHUB,
  gitea: GITEA,
  forgejo: GITEA,
};

function layoutOf(host: string): Layout | undefined {
  return LAYOUTS[host] ?? SELF_HOSTED[host.split('.')[0]!];
}

export function browseUrls(repo: string): BrowseUrls | null {
  const location = hostAndPath(repo.trim());
  if (!location) return null;
  const layout = layoutOf(location.host);
  // owner/name at least (GitLab allows groups in between); never the host's root.
  const parts = location.path
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean);
  if (!layout || parts.length < 2) return null;
  // The public hosts are on https whatever scheme the repository URL was written with.
  const origin = LAYOUTS[location.host] ? `https://${location.host}` : location.origin;
  const base = `${origin}/${parts.map(encodeURIComponent).join('/')}`;
  return {
    // Branch names keep their slashes: hosts read the rest of the path as the name.
    branch: (name) => `${base}/${layout.branch}/${name.split('/').map(encodeURIComponent).join('/')}`,
    commit: (sha) => `${base}/${layout.commit}/${encodeURIComponent(sha)}`,
  };
}

/**
 * https://, ssh:// and scp-like `git@host:owner/repo.git` addresses; nothing else. `origin` is
 * where the web UI is: the URL's own scheme and port over http(s) (a self-hosted forge may serve
 * plain http on a port of its own), https on the host otherwise (ssh's port is not the web UI's).
 */
function hostAndPath(repo: string): { host: string; origin: string; path: string } | null {
  const scp = /^[\w.-]+@([\w.-]+):(?!\/\/)(.+)$/.exec(repo);
  if (scp) {
    const host = scp[1]!.toLowerCase();
    return { host, origin: `https://${host}`, path: scp[2]! };
  }
  try {
    const url = new URL(repo);
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
    const host = url.hostname.toLowerCase();
    const origin = url.protocol.startsWith('http')
      ? `${url.protocol}//${url.host.toLowerCase()}`
      : `https://${host}`;
    return { host, origin, path: decodeURIComponent(url.pathname) };
  } catch {
    return null;
  }
}
