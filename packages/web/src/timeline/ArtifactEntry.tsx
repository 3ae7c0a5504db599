import type { Artifact } from '@nightshift/protocol';
import {
  branchDiffCommand,
  linksIntoRepoHost,
  localRepoPath,
  shortSha,
  showCommitCommand,
} from './git-hints.js';
import { CopyText } from '../components/CopyText.js';

/** The session an artifact belongs to, as far as showing where its commits are goes. */
export interface ArtifactRepo {
  repo: string;
  baseBranch: string;
}

/**
 * A commit, branch, pull request or screenshot the agent left. A commit or branch links to the
 * git host's page when the server knows one; in a local repository, a command to look at it
 * there takes the link's place.
 */
export function ArtifactEntry({ artifact: a, repo }: { artifact: Artifact; repo: ArtifactRepo | null }) {
  const data = a.data as Record<string, unknown>;
  const str = (k: string) => (typeof data[k] === 'string' ? (data[k] as string) : undefined);
  const local = repo ? localRepoPath(repo.repo) : null;
  const isGit = a.type === 'commit' || a.type === 'branch';
  const url = a.url && (!isGit || (repo && linksIntoRepoHost(a.url, repo.repo))) ? a.url : null;
  const link = (label: string, title?: string) =>
    url ? (
      <a href={url} target="_blank" rel="noopener noreferrer" title={title}>
        {label}
      </a>
    ) : (
      <span title={title}>{label}</span>
    );
  switch (a.type) {
    case 'branch': {
      const branch = str('branch');
      return (
        <div className="entry artifact">
          <div className="artifact-line">
            <span className="artifact-kind">Pushed branch</span> <code>{link(branch ?? 'branch')}</code>
          </div>
          {!url && local && branch && repo && (
            <CopyText text={branchDiffCommand(local, repo.baseBranch, branch)} />
          )}
        </div>
      );
    }
    case 'commit': {
      const sha = str('sha');
      // Unpushed, the commit exists only in the sandbox: no command would find it.
      const pushed = data.pushed !== false;
      return (
        <div className="entry artifact">
          <div className="artifact-line">
            <span className="artifact-kind">Commit</span>{' '}
            <code>{link(sha ? shortSha(sha) : 'commit', sha)}</code>{' '}
            <span className="artifact-message">{str('message')?.split('\n')[0] ?? ''}</span>
            {!pushed && <span className="badge">not pushed</span>}
          </div>
          {!url && local && sha && pushed && <CopyText text={showCommitCommand(local, sha)} />}
        </div>
      );
    }
    case 'pull_request': {
      const number = typeof data.number === 'number' ? `#${data.number}` : undefined;
      return (
        <div className="entry artifact">
          <span className="artifact-kind">Pull request</span>{' '}
          {link([number, str('title')].filter(Boolean).join(' ') || (url ? url : 'opened'))}
        </div>
      );
    }
    case 'screenshot':
      return (
        <figure className="entry artifact screenshot">
          {a.url && (
            <a href={a.url} target="_blank" rel="noopener noreferrer">
              <img src={a.url} alt={str('caption') ?? 'Screenshot'} loading="lazy" />
            </a>
          )}
          <figcaption>{str('caption') ?? 'Screenshot'}</figcaption>
        </figure>
      );
  }
}
