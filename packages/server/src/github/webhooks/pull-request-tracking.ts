import type { SessionRegistry } from '../../sessions/session-registry.js';
import { pullRequestChanges, type WebhookPayload } from './tracked-events.js';
import { pullRequestUrl, type PullRequestLinks } from './pull-request-links.js';

/**
 * A pull request delivery for a PR a session opened: the artifact's stored state follows (so
 * the session's PR reads right without asking GitHub), then `pull_request_updated` goes on the
 * session's timeline through its actor. A PR no session opened is none of Nightshift's business.
 */
export async function trackPullRequest(
  event: string,
  payload: WebhookPayload,
  links: Pick<PullRequestLinks, 'find' | 'setState'>,
  registry: Pick<SessionRegistry, 'get'>,
): Promise<number> {
  const htmlUrl = payload.repository?.html_url;
  if (!htmlUrl) return 0;
  let tracked = 0;
  for (const change of pullRequestChanges(event, payload)) {
    const url = pullRequestUrl(htmlUrl, change.number);
    for (const link of await links.find(url)) {
      const state = change.state ?? link.state;
      if (state !== link.state) await links.setState(url, state);
      const actor = await registry.get(link.sessionId);
      if (!actor) continue;
      actor.emit({ type: 'pull_request_updated', data: { number: change.number, state, ...change.update } });
      tracked += 1;
    }
  }
  return tracked;
}
