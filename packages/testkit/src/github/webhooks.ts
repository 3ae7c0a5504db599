/**
 * Webhook deliveries as GitHub sends them: a POST of the JSON payload with X-GitHub-Event,
 * X-GitHub-Delivery (a uuid; a redelivery repeats it) and X-Hub-Signature-256, the HMAC-SHA256
 * of the raw body keyed with the App's webhook secret. Each is recorded with the answer's status.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { actorJson, installationJson, repoJson } from './json.js';
import type { GitHubActor, GitHubState, Repo } from './state.js';

export interface WebhookDelivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  /** The receiver's status; null when no URL was set or it could not be reached. */
  status: number | null;
  redelivery: boolean;
  deliveredAt: string;
}

export class WebhookSender {
  private url: string | undefined;
  private readonly records: WebhookDelivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly state: GitHubState) {}

  setUrl(url: string | undefined): void {
    this.url = url;
  }

  deliveries(): WebhookDelivery[] {
    return [...this.records];
  }

  /** Sends now and resolves with the recorded delivery. */
  deliver(event: string, payload: Record<string, unknown>): Promise<WebhookDelivery> {
    return this.track(this.send(randomUUID(), event, payload, false));
  }

  /** Sends a recorded delivery again, with the same delivery id, as GitHub's "Redeliver" does. */
  redeliver(id: string): Promise<WebhookDelivery> {
    const original = this.records.find((d) => d.id === id);
    if (!original) throw new Error(`testkit GitHub: no delivery ${id}`);
    return this.track(this.send(id, original.event, original.payload, true));
  }

  /** What GitHub does after an API call changed something: deliver in the background. */
  emit(event: string, payload: Record<string, unknown>): void {
    void this.deliver(event, payload);
  }

  /** Resolves once every delivery under way has been answered. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The fields every event about a repository carries. */
  context(repo: Repo, sender: GitHubActor): Record<string, unknown> {
    const installation = this.state.installationFor(repo);
    return {
      repository: repoJson(this.state, repo),
      sender: actorJson(this.state, sender),
      ...(installation
        ? {
            installation: {
              id: installation.id,
              node_id: installationJson(this.state, installation).node_id,
            },
          }
        : {}),
    };
  }

  /** Counts `promise` among the work `settled` waits for (e.g. finding which pull requests a push moved). */
  track<T>(promise: Promise<T>): Promise<T> {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
    return promise;
  }

  private async send(
    id: string,
    event: string,
    payload: Record<string, unknown>,
    redelivery: boolean,
  ): Promise<WebhookDelivery> {
    const installationId = (payload.installation as { id?: number } | undefined)?.id;
    const installation = this.state.installations.find((i) => i.id === installationId);
    const app = this.state.app(installation?.appId);
    const body = JSON.stringify(payload);
    const record: WebhookDelivery = {
      id,
      event,
      payload,
      status: null,
      redelivery,
      deliveredAt: new Date().toISOString(),
    };
    this.records.push(record);
    if (!this.url || !app) return record;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/testkit',
          'x-github-event': event,
          'x-github-delivery': id,
          'x-github-hook-id': String(app.id * 10),
          'x-github-hook-installation-target-type': 'integration',
          'x-github-hook-installation-target-id': String(app.id),
          'x-hub-signature-256': signWebhook(body, app.webhookSecret),
          'x-hub-signature': `sha1=${createHmac('sha1', app.webhookSecret).update(body).digest('hex')}`,
        },
        body,
      });
      await res.arrayBuffer();
      record.status = res.status;
    } catch {
      record.status = null;
    }
    return record;
  }
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, GitHub's X-Hub-Signature-256. */
export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
