/**
 * Upward bridge messages not yet acknowledged by the control plane. Pure bookkeeping: ids,
 * cumulative acks, what to re-send after a reconnect, and coalescing of text deltas so a long
 * disconnection costs memory proportional to the text, not to the number of deltas.
 */
import type { BridgeUp } from '@nightshift/protocol';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
/** A message before it has an id. */
export type UpBody = Distribute<BridgeUp>;

interface Entry {
  message: BridgeUp;
  /** Written to a connection: the control plane may have stored it, so it must not change any more. */
  sent: boolean;
}

export class Outbox {
  private entries: Entry[] = [];
  private lastId = 0;
  private acked = 0;

  /** The highest id the control plane has acknowledged. */
  get lastAcked(): number {
    return this.acked;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Ids are handed out in order, one per message, and never reused. */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /**
   * Adds a message. Returns it with its id when it is new, or null when it was merged into an
   * earlier unsent text delta of the same part (which then carries both, in order).
   */
  push(body: UpBody): BridgeUp | null {
    const last = this.entries.at(-1);
    if (last && !last.sent && canMerge(last.message, body)) {
      const a = last.message as TextUp;
      a.activity.delta += (body as Omit<TextUp, 'id'>).activity.delta;
      return null;
    }
    // A copy: a later merge appends to it, and the caller's object must not change under it.
    const copy = body.type === 'activity' ? { ...body, activity: { ...body.activity } } : { ...body };
    const message = { ...copy, id: this.nextId() } as BridgeUp;
    this.entries.push({ message, sent: false });
    return message;
  }

  /** Marks a message as written to the current connection. */
  markSent(id: number): void {
    const entry = this.entries.find((e) => e.message.id === id);
    if (entry) entry.sent = true;
  }

  /** Cumulative: everything up to `upTo` is stored on the other side. */
  ack(upTo: number): void {
    if (upTo <= this.acked) return;
    this.acked = upTo;
    this.entries = this.entries.filter((e) => e.message.id > upTo);
  }

  /**
   * What to send on a new connection, in order. Heartbeats still waiting are dropped: a stale one
   * says nothing, and the new connection sends its own.
   */
  resend(): BridgeUp[] {
    this.entries = this.entries.filter((e) => e.message.type !== 'heartbeat');
    return this.entries.map((e) => e.message);
  }

  /** Messages not yet acknowledged (for tests and diagnostics). */
  pending(): readonly BridgeUp[] {
    return this.entries.map((e) => e.message);
  }
}

type TextUp = Extract<BridgeUp, { type: 'activity' }> & {
  activity: Extract<Extract<BridgeUp, { type: 'activity' }>['activity'], { kind: 'text' }>;
};

function canMerge(previous: BridgeUp, next: UpBody): boolean {
  if (previous.type !== 'activity' || next.type !== 'activity') return false;
  const a = previous.activity;
  const b = next.activity;
  return a.kind === 'text' && b.kind === 'text' && a.messageId === b.messageId && a.partId === b.partId;
}
