/**
 * Upward bridge messages as the control plane takes them in: the counterpart of the sandbox's
 * outbox (packages/sandbox/src/bridge/outbox.ts). Each id is applied once and in order; nothing
 * is applied before there is a timeline to put it on; and an id is acknowledged only once what it
 * carried is stored, together with the fact that it was applied. So a restart of either side
 * loses nothing and repeats nothing.
 */
import type { BridgeUp } from '@nightshift/protocol';
import type { Logger } from '../log.js';

/** Everything after a connection's hello: each message has an id to apply once. */
export type CarriedUp = Exclude<BridgeUp, { type: 'hello' }>;

export interface BridgeInboxOptions {
  /** Messages up to this id were already stored (by an earlier process, say). */
  storedUpTo: number;
  /** Applies one message; returns what it is still storing, if anything. */
  apply(message: CarriedUp): Promise<void> | void;
  /**
   * Stores that messages up to `upTo` are applied, once everything emitted for them is stored
   * (events carry their own checkpoint in the same write; this covers the rest, e.g. heartbeats).
   */
  record(upTo: number): Promise<void>;
  /** Sends the supervisor a cumulative acknowledgement: it may drop everything up to `upTo`. */
  acknowledge(upTo: number): void;
  log: Logger;
  sandboxId: string;
}

/** One acknowledgement per burst of messages is enough: they are cumulative. */
const ACK_BATCH_MS = 20;

export class BridgeInbox {
  private open = false;
  /** Messages that arrived before there was a timeline to put them on (after an adoption). */
  private held: CarriedUp[] = [];
  private applied: number;
  private stored: number;
  /** What applied messages are still writing (a prompt result's artifacts). */
  private storing: Array<Promise<unknown>> = [];
  private checkpointing = false;
  private ackTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: BridgeInboxOptions) {
    this.applied = options.storedUpTo;
    this.stored = options.storedUpTo;
  }

  /** The last message applied. */
  get lastApplied(): number {
    return this.applied;
  }

  /** The last message whose effects are stored, with that fact: what may be acknowledged. */
  get storedUpTo(): number {
    return this.stored;
  }

  /** Messages waiting for a timeline (for tests and diagnostics). */
  get heldCount(): number {
    return this.held.length;
  }

  receive(message: CarriedUp): void {
    // A re-send of something already applied: the supervisor missed our ack, so say it again.
    if (message.id <= this.applied) return this.scheduleAck();
    // Without a timeline to write to, nothing may be applied or acknowledged yet; order is kept.
    if (!this.open || this.held.length > 0) {
      if (!this.held.some((m) => m.id === message.id)) this.held.push(message);
      return;
    }
    this.accept(message);
  }

  /** There is a timeline now: what was held is applied in order, and what comes is applied as it comes. */
  openTimeline(): void {
    this.open = true;
    for (const message of this.held.splice(0)) this.accept(message);
  }

  /** Tells the supervisor at once what is already stored (on hello: it drops that from its outbox). */
  acknowledgeNow(): void {
    this.options.acknowledge(this.stored);
  }

  private accept(message: CarriedUp): void {
    if (message.id <= this.applied) return;
    this.applied = message.id;
    const storing = this.options.apply(message);
    if (storing) {
      this.storing.push(
        storing.catch((err) =>
          this.options.log.error(
            { err, sandboxId: this.options.sandboxId },
            'could not store what the sandbox reported',
          ),
        ),
      );
    }
    this.checkpoint();
  }

  /**
   * Records how far messages are applied once everything they brought is stored; only then are
   * they acknowledged. Until it is stored, the sandbox keeps a message to send again.
   */
  private checkpoint(): void {
    if (this.checkpointing) return; // the running one starts another when it ends
    this.checkpointing = true;
    const upTo = this.applied;
    const storing = this.storing.splice(0);
    void Promise.all(storing)
      .then(() => this.options.record(upTo))
      .then(() => {
        this.stored = Math.max(this.stored, upTo);
        this.scheduleAck();
      })
      .catch((err) =>
        // Not acknowledged: the sandbox sends them again on its next connection.
        this.options.log.warn(
          { err, sandboxId: this.options.sandboxId },
          'could not record bridge messages as stored',
        ),
      )
      .finally(() => {
        this.checkpointing = false;
        if (this.applied > upTo) this.checkpoint();
      });
  }

  private scheduleAck(): void {
    if (this.ackTimer) return;
    this.ackTimer = setTimeout(() => {
      this.ackTimer = null;
      this.options.acknowledge(this.stored);
    }, ACK_BATCH_MS);
  }
}
