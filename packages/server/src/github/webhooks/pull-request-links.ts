import { PullRequestState } from '@nightshift/protocol';
import type { ArtifactRepo } from '../../store/store.js';

/** A session's pull request, as its `pull_request` artifact records it. */
export interface PullRequestLink {
  sessionId: string;
  artifactId: string;
  state: PullRequestState;
}

/**
 * Which sessions opened a pull request, found by the PR's web URL on their `pull_request`
 * artifact (`<repository html_url>/pull/<number>`, as GitHub writes it in every payload): no
 * second table to keep in step with the artifacts, and no repository naming to reconcile.
 */
export class PullRequestLinks {
  constructor(private readonly artifacts: Pick<ArtifactRepo, 'findByUrl' | 'updateData'>) {}

  async find(url: string): Promise<PullRequestLink[]> {
    const found = await this.artifacts.findByUrl('pull_request', url);
    return found.map(({ sessionId, artifact }) => {
      const state = PullRequestState.safeParse(artifact.data.state);
      return { sessionId, artifactId: artifact.id, state: state.success ? state.data : 'open' };
    });
  }

  /** The artifact's state follows GitHub's, so the artifact list says what the timeline says. */
  async setState(url: string, state: PullRequestState): Promise<void> {
    const found = await this.artifacts.findByUrl('pull_request', url);
    for (const { artifact } of found) {
      if (artifact.data.state !== state)
        await this.artifacts.updateData(artifact.id, { ...artifact.data, state });
    }
  }
}

/** A pull request's web URL, as GitHub writes it (and as the artifact keeps it). */
export function pullRequestUrl(repositoryHtmlUrl: string, number: number): string {
  return `${repositoryHtmlUrl.replace(/\/+$/, '')}/pull/${number}`;
}
