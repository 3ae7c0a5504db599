import { Hono } from 'hono';
import type { RepoEntry } from '@nightshift/protocol';
import type { GitHubCodeHost } from '../../github/github-code-host.js';

/**
 * `GET /api/repos`: what the deployment lets sessions use — the GitHub App's installed
 * repositories (as `owner/name`) and the exact NIGHTSHIFT_ALLOWED_REPOS entries (a prefix
 * pattern names no one repository).
 */
export function repoRoutes(host: GitHubCodeHost | null, allowedRepos: readonly string[]): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const installed: RepoEntry[] = host
      ? (await host.listRepos()).map((r) => ({
          repo: r.fullName,
          baseBranch: r.defaultBranch,
          image: null,
          pool: { size: 0, ready: 0 },
          ...(r.description ? { description: r.description } : {}),
          private: r.private,
        }))
      : [];
    const listed: RepoEntry[] = allowedRepos
      .filter((pattern) => !pattern.endsWith('*'))
      .map((repo) => ({ repo, baseBranch: null, image: null, pool: { size: 0, ready: 0 } }));
    return c.json({ repos: [...installed, ...listed] });
  });
  return app;
}
