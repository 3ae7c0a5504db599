import type { Octokit } from '@octokit/rest';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import type { Logger } from '../../log.js';
import { pullRequestUrl, type PullRequestLinks } from '../webhooks/pull-request-links.js';
import { commenterAuthor, type CommenterDeps } from './commenter.js';
import { decideComment, promptWithContext, type CommentPayload } from './mention.js';
import { CommentReplies, DEFAULT_RETRY, type RetryPolicy } from './replies.js';
import { outcomeMessage, watchPromptEnd, type SubscribeToSession } from './outcome-reply.js';

export interface CommentTriggerDeps {
  /** The App's slug (`GET /app`); undefined until it is known, when no comment can mention it. */
  slug(): string | undefined;
  octokitForInstallation(installationId: number): Promise<Octokit>;
  links: Pick<PullRequestLinks, 'find'>;
  registry: Pick<SessionRegistry, 'require' | 'create'>;
  /** The `repo` a session on `owner/name` stores (the code host's one name for it). */
  sessionRepo(fullName: string): Promise<string>;
  commenters: Omit<CommenterDeps, 'publicEmail'>;
  sessionUrl(sessionId: string): string;
  branchUrl(repo: string, branch: string): string;
  subscribe: SubscribeToSession;
  log: Logger;
  retry?: RetryPolicy;
}

/**
 * `@<app-slug> …` in a comment: on a pull request a session opened, the next prompt of that
 * session; on any other issue or pull request of an installed repository, a new session. The
 * App answers as itself: 👀 at once, a link to the session, then how the prompt ended.
 */
export async function onIssueComment(
  deliveryId: string,
  payload: CommentPayload,
  deps: CommentTriggerDeps,
): Promise<void> {
  const slug = deps.slug();
  if (!slug) return;
  const decision = decideComment(payload, slug);
  if (decision.kind === 'ignore') return;
  const octokit = await deps.octokitForInstallation(decision.installationId);
  const replies = new CommentReplies(octokit, decision.repo, deps.retry ?? DEFAULT_RETRY);
  const say = (body: string) =>
    replies
      .reply(decision.issue, body)
      .catch((err) =>
        deps.log.warn({ err, repo: decision.repo, issue: decision.issue }, 'could not reply on GitHub'),
      );

  await replies
    .acknowledge(decision.commentId)
    .catch((err) => deps.log.warn({ err, repo: decision.repo }, 'could not react to a GitHub comment'));

  const verdict = await commenterAuthor(decision.commenter, {
    ...deps.commenters,
    publicEmail: async (login) =>
      (await octokit.rest.users.getByUsername({ username: login })).data.email ?? undefined,
  });
  if (!verdict.ok) {
    await say(verdict.reason);
    return;
  }

  if (!decision.text.trim()) {
    await say(`@${decision.commenter.login}, what should I do? Write it after the mention.`);
    return;
  }

  const link = decision.isPullRequest
    ? (await deps.links.find(pullRequestUrl(decision.repositoryUrl, decision.issue)))[0]
    : undefined;
  let sessionId: string;
  let text = decision.text;
  if (link) {
    sessionId = link.sessionId;
  } else {
    try {
      const title = `${decision.repo}#${decision.issue}: ${decision.context.title}`.slice(0, 500);
      const repo = await deps.sessionRepo(decision.repo);
      sessionId = (await deps.registry.create({ repo, title })).id;
    } catch (err) {
      await say(`I could not start a session on ${decision.repo}: ${(err as Error).message}`);
      return;
    }
    text = promptWithContext(decision);
  }
  const actor = await deps.registry.require(sessionId);
  const watch = watchPromptEnd(deps.subscribe, sessionId);
  let messageId: string;
  try {
    // The delivery id makes the prompt once-only: a delivery run again after a crash finds it.
    ({ messageId } = await actor.submit({
      text,
      author: verdict.author,
      clientRequestId: `github:${deliveryId}`,
    }));
  } catch (err) {
    watch.cancel();
    await say(`I could not queue that: ${(err as Error).message}. ${deps.sessionUrl(sessionId)}`);
    return;
  }
  await say(`On it: ${deps.sessionUrl(sessionId)}`);
  const branch = actor.record.branch;
  void watch.endOf(messageId).then((end) =>
    say(
      outcomeMessage(end, {
        sessionUrl: deps.sessionUrl(sessionId),
        branch,
        branchUrl: deps.branchUrl(decision.repo, branch),
        onPullRequest: link !== undefined,
      }),
    ),
  );
}
