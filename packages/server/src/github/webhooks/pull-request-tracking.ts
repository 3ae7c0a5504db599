import type { PullRequestState } from '@nightshift/protocol';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import { pullRequestChanges, type WebhookPayload } from './tracked-events.js';

/** The pull request ↔ session links (`github/`'s store of the PRs Nightshift opened). */
export interface PullRequestLinks {
  find(repo: string, number: number): Promise<{ sessionId: string; state: PullRequestState } | undefined>;
  setState(repo: string, number: number, state: PullRequestState): Promise<void>;
}

/**
 * A pull request delivery for a PR Nightshift opened: the stored state follows (so the session's
 * PR state reads right without GitHub), then `pull_request_updated` goes on the session's
 * timeline through its actor. A PR no session opened is none of Nightshift's business.
 */
export async function trackPullRequest(
  event: string,
  payload: WebhookPayload,
  links: PullRequestLinks,
  registry: Pick<SessionRegistry, 'get'>,
): Promise<number> {
  let tracked = 0;
  for (const change of pullRequestChanges(event, payload)) {
    const link = await links.find(change.repo, change.number);
    if (!link) continue;
    const state = change.state ?? link.state;
    if (state !== link.state) await links.setState(change.repo, change.number, state);
    const actor = await registry.get(link.sessionId);
    if (!actor) continue;
    actor.emit({ type: 'pull_request_updated', data: { number: change.number, state, ...change.update } });
    tracked += 1;
  }
  return tracked;
}
