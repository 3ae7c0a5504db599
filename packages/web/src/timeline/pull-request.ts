import { PullRequestState, type Artifact, type PullRequestUpdated } from '@nightshift/protocol';
import type { PullRequestView } from './types.js';

/** The pull request a `pull_request` artifact announces (`data: {number, state, draft?}`). */
export function pullRequestFromArtifact(artifact: Artifact): PullRequestView | null {
  const { number, state, draft } = artifact.data;
  if (typeof number !== 'number') return null;
  const parsed = PullRequestState.safeParse(state);
  return {
    number,
    url: artifact.url,
    state: parsed.success ? parsed.data : 'open',
    ...(typeof draft === 'boolean' ? { draft } : {}),
  };
}

/** The pull request after a webhook's update; an update for another number starts over from it. */
export function pullRequestAfter(
  current: PullRequestView | null,
  update: PullRequestUpdated,
): PullRequestView {
  const base: PullRequestView =
    current && current.number === update.number
      ? current
      : { number: update.number, url: null, state: update.state };
  const draft =
    update.action === 'converted_to_draft' ? true : update.action === 'ready_for_review' ? false : base.draft;
  return { ...base, state: update.state, ...(draft !== undefined ? { draft } : {}) };
}

/** What the header's badge says: GitHub's own words for the states. */
export function pullRequestStateLabel(pr: PullRequestView): 'Open' | 'Draft' | 'Merged' | 'Closed' {
  if (pr.state === 'merged') return 'Merged';
  if (pr.state === 'closed') return 'Closed';
  return pr.draft === true ? 'Draft' : 'Open';
}

/** One line for the timeline: "Pull request #4 merged by alice", "review: approved by bob", … */
export function describePullRequestUpdate(u: PullRequestUpdated): string {
  const by = u.by ? ` by ${u.by}` : '';
  const pr = `Pull request #${u.number}`;
  if (u.check) {
    const outcome = u.check.conclusion === null ? 'finished' : checkWord(u.check.conclusion);
    return `${pr}: check ${u.check.name} ${outcome}`;
  }
  if (u.review) {
    const verdict =
      u.review.state === 'approved'
        ? 'approved'
        : u.review.state === 'changes_requested'
          ? 'changes requested'
          : 'reviewed';
    return `${pr} ${verdict}${by}`;
  }
  switch (u.action) {
    case 'synchronize':
      return `${pr} updated with new commits${by}`;
    case 'reopened':
      return `${pr} reopened${by}`;
    case 'converted_to_draft':
      return `${pr} marked as draft${by}`;
    case 'ready_for_review':
      return `${pr} ready for review${by}`;
    case 'created':
      return `${pr}: review comment${by}`;
  }
  if (u.state === 'merged') return `${pr} merged${by}`;
  if (u.state === 'closed') return `${pr} closed${by}`;
  return u.action === 'opened' ? `${pr} opened${by}` : `${pr} ${u.action ?? 'updated'}${by}`;
}

function checkWord(conclusion: string): string {
  switch (conclusion) {
    case 'success':
      return 'passed';
    case 'failure':
    case 'timed_out':
      return 'failed';
    default:
      return conclusion.replace(/_/g, ' ');
  }
}
