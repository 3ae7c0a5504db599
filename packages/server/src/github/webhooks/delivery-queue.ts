import type { GitHubDeliveryRecord, GitHubDeliveryRepo } from '../../store/store.js';
import type { Logger } from '../../log.js';

const KEEP_IDS_MS = 30 * 24 * 60 * 60 * 1000;

export type DeliveryHandler = (delivery: GitHubDeliveryRecord) => Promise<void>;

/**
 * Accepted deliveries, carried out one at a time after the webhook has been answered (GitHub
 * waits 10 s for an answer, and a prompt or a reply to GitHub can take longer). A delivery is
 * marked handled when its handler has run, whether or not it succeeded: a failure is logged, not
 * retried, since its effects may be half done. One the process died before handling is left
 * unhandled in the store and run again at the next start (`resume`); `drain` lets a clean
 * shutdown finish what was accepted.
 */
export class DeliveryQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly deliveries: GitHubDeliveryRepo,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
  ) {}

  push(delivery: GitHubDeliveryRecord): void {
    this.pending += 1;
    this.tail = this.tail.then(async () => {
      try {
        await this.handle(delivery);
      } catch (err) {
        this.log.warn(
          { err, delivery: delivery.id, event: delivery.event },
          'a GitHub webhook delivery failed',
        );
      }
      try {
        await this.deliveries.markHandled(delivery.id, new Date().toISOString());
      } catch (err) {
        this.log.warn({ err, delivery: delivery.id }, 'could not mark a GitHub webhook delivery handled');
      }
      this.pending -= 1;
    });
  }

  /**
   * Deliveries a previous process accepted and did not get to. Ids of handled ones are kept for
   * a month, well past the days GitHub offers a delivery for redelivery, then forgotten.
   */
  async resume(now = Date.now()): Promise<number> {
    await this.deliveries.prune(new Date(now - KEEP_IDS_MS).toISOString());
    const left = await this.deliveries.unhandled();
    for (const delivery of left) this.push(delivery);
    return left.length;
  }

  get size(): number {
    return this.pending;
  }

  /** Resolves when every delivery pushed so far has been handled. */
  drain(): Promise<void> {
    return this.tail;
  }
}
