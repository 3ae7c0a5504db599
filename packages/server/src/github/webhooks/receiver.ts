import { Webhooks } from '@octokit/webhooks';
import type { GitHubDeliveryRepo } from '../../store/store.js';
import type { DeliveryQueue } from './delivery-queue.js';
import { HANDLED_EVENTS } from './tracked-events.js';

/** GitHub caps a delivery's payload at 25 MB; anything larger is not GitHub. */
export const MAX_DELIVERY_BYTES = 25 * 1024 * 1024;

export interface IncomingDelivery {
  /** X-GitHub-Delivery */
  id: string | undefined;
  /** X-GitHub-Event */
  event: string | undefined;
  /** X-Hub-Signature-256 */
  signature: string | undefined;
  /** The body exactly as it came: the signature is over these bytes. */
  rawBody: string;
}

export type ReceiveOutcome =
  | { kind: 'accepted' }
  | { kind: 'duplicate' }
  | { kind: 'ignored'; event: string }
  | { kind: 'bad_signature'; message: string }
  | { kind: 'bad_request'; message: string };

/**
 * The webhook's front: checks the signature before anything else (an unsigned or badly signed
 * delivery changes nothing, not even the list of ids seen), then records the delivery id with its
 * payload — the same write is the dedupe and what makes an accepted delivery survive a crash —
 * and queues the work, so the answer goes back before any of it is done.
 */
export class WebhookReceiver {
  private readonly webhooks: Webhooks;

  constructor(
    secret: string,
    private readonly deliveries: GitHubDeliveryRepo,
    private readonly queue: DeliveryQueue,
  ) {
    this.webhooks = new Webhooks({ secret });
  }

  async receive(delivery: IncomingDelivery): Promise<ReceiveOutcome> {
    if (!delivery.signature) return { kind: 'bad_signature', message: 'X-Hub-Signature-256: missing' };
    let valid = false;
    try {
      valid = await this.webhooks.verify(delivery.rawBody, delivery.signature);
    } catch {
      valid = false;
    }
    if (!valid) {
      return { kind: 'bad_signature', message: 'X-Hub-Signature-256: does not match the webhook secret' };
    }
    if (!delivery.id) return { kind: 'bad_request', message: 'X-GitHub-Delivery: missing' };
    if (!delivery.event) return { kind: 'bad_request', message: 'X-GitHub-Event: missing' };
    if (!HANDLED_EVENTS.has(delivery.event)) return { kind: 'ignored', event: delivery.event };
    try {
      JSON.parse(delivery.rawBody);
    } catch {
      return { kind: 'bad_request', message: 'body: is not JSON' };
    }
    const record = {
      id: delivery.id,
      event: delivery.event,
      payload: delivery.rawBody,
      receivedAt: new Date().toISOString(),
    };
    if (!(await this.deliveries.accept(record))) return { kind: 'duplicate' };
    this.queue.push({ ...record, handledAt: null });
    return { kind: 'accepted' };
  }
}
