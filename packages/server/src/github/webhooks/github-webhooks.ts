import type { Store } from '../../store/store.js';
import type { SessionRegistry } from '../../sessions/session-registry.js';
import type { Logger } from '../../log.js';
import { onIssueComment, type CommentTriggerDeps } from '../comment-triggers/comment-trigger.js';
import type { CommentPayload } from '../comment-triggers/mention.js';
import { DeliveryQueue } from './delivery-queue.js';
import { trackPullRequest } from './pull-request-tracking.js';
import { PullRequestLinks } from './pull-request-links.js';
import { WebhookReceiver } from './receiver.js';
import type { WebhookPayload } from './tracked-events.js';
import type { GitHubApp } from '../app.js';
import type { AuthServices } from '../../auth/auth-services.js';
import type { SubscribeToSession } from '../comment-triggers/outcome-reply.js';

export interface GitHubWebhooksDeps extends Omit<CommentTriggerDeps, 'registry' | 'links'> {
  webhookSecret: string;
  store: Pick<Store, 'githubDeliveries' | 'artifacts'>;
  registry: Pick<SessionRegistry, 'get' | 'require' | 'create'>;
  log: Logger;
}

export interface GitHubWebhooks {
  receiver: WebhookReceiver;
  /** Runs what a previous process accepted and did not finish. */
  resume(): Promise<number>;
  /** Waits until every accepted delivery has been handled (a clean shutdown). */
  drain(): Promise<void>;
}

/** The webhook's parts, put together: receiver → durable queue → pull request tracking or comment triggers. */
export function createGitHubWebhooks(deps: GitHubWebhooksDeps): GitHubWebhooks {
  const links = new PullRequestLinks(deps.store.artifacts);
  const queue = new DeliveryQueue(
    deps.store.githubDeliveries,
    async (delivery) => {
      const payload = JSON.parse(delivery.payload) as unknown;
      if (delivery.event === 'issue_comment') {
        await onIssueComment(delivery.id, payload as CommentPayload, { ...deps, links });
        return;
      }
      await trackPullRequest(delivery.event, payload as WebhookPayload, links, deps.registry);
    },
    deps.log,
  );
  return {
    receiver: new WebhookReceiver(deps.webhookSecret, deps.store.githubDeliveries, queue),
    resume: () => queue.resume(),
    drain: () => queue.drain(),
  };
}

/** The webhooks of a running GitHub App, as the server wires them. */
export function gitHubWebhooksFor(o: {
  app: Pick<GitHubApp, 'slug' | 'urls' | 'octokitForInstallation'>;
  sessionRepo(fullName: string): Promise<string>;
  webhookSecret: string;
  store: Store;
  registry: SessionRegistry;
  auth: Pick<AuthServices, 'directory' | 'authenticator'>;
  /** Where people reach the server: links in the App's replies. */
  publicUrl: () => string;
  subscribe: SubscribeToSession;
  log: Logger;
}): GitHubWebhooks {
  const base = () => o.publicUrl().replace(/\/+$/, '');
  return createGitHubWebhooks({
    webhookSecret: o.webhookSecret,
    store: o.store,
    registry: o.registry,
    log: o.log,
    slug: () => o.app.slug,
    sessionRepo: o.sessionRepo,
    octokitForInstallation: (id) => o.app.octokitForInstallation(id),
    commenters: {
      teamMode: o.auth.authenticator.teamMode,
      people: o.store.people,
      currentPerson: (id) => o.auth.directory.currentPerson(id),
      // Read when a reply is written: the server's URL is known only once it listens.
      get signInUrl() {
        return base();
      },
    },
    sessionUrl: (id) => `${base()}/sessions/${id}`,
    branchUrl: (repo, branch) => `${o.app.urls.webUrl.replace(/\/+$/, '')}/${repo}/tree/${branch}`,
    subscribe: o.subscribe,
  });
}
