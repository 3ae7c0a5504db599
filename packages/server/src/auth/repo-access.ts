import path from 'node:path';
import { Forbidden } from '../sessions/errors.js';
import type { Principal } from './principal.js';

/**
 * Whether a session may use `repo` in team mode: it matches a pattern of NIGHTSHIFT_ALLOWED_REPOS
 * exactly, or starts with the part before a pattern's trailing `*`. Both sides are compared
 * without a trailing `/` or `.git`, so `…/app`, `…/app/` and `…/app.git` are one repository.
 */
export function repoAllowed(repo: string, patterns: readonly string[]): boolean {
  const wanted = normaliseRepo(repo);
  if (wanted === '') return false;
  return patterns.some((pattern) => {
    const p = pattern.trim();
    if (p.endsWith('*')) {
      const prefix = p.slice(0, -1);
      return prefix !== '' && wanted.startsWith(prefix);
    }
    return normaliseRepo(p) === wanted;
  });
}

export function normaliseRepo(repo: string): string {
  let r = withoutDotSegments(repo.trim());
  for (;;) {
    const before = r;
    r = r.replace(/\/+$/, '').replace(/\.git$/, '');
    if (r === before) return r;
  }
}

/**
 * `..` would walk out of a prefix (`/srv/repos/../secret`, `https://host/acme/%2e%2e/other`) that
 * the string still starts with: paths and URLs are resolved first, and whatever cannot be
 * resolved yet still has a `..` segment matches nothing.
 */
function withoutDotSegments(repo: string): string {
  let resolved = repo;
  if (repo.startsWith('/')) resolved = path.posix.normalize(repo);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) {
    try {
      resolved = new URL(repo).href;
    } catch {
      return '';
    }
  }
  return resolved.split(/[/:]/).includes('..') ? '' : resolved;
}

/**
 * In team mode only repositories the deployment lists may be used, or those its code host says
 * are its to use (`hostAllows`: the GitHub App's installed repositories); local mode may use any.
 */
export function requireRepoAllowed(
  principal: Principal,
  repo: string,
  patterns: readonly string[],
  hostAllows: (repo: string) => boolean = () => false,
): void {
  if (principal.kind === 'local' || repoAllowed(repo, patterns) || hostAllows(repo)) return;
  throw new Forbidden(
    `repo: ${repo} is not a repository this deployment allows (NIGHTSHIFT_ALLOWED_REPOS)`,
    'repo_not_allowed',
  );
}
