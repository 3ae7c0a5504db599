import type { EventInput, SessionEvent } from '@nightshift/protocol';
import type { BridgeCheckpoint, EventRepo, StoredEvent } from '../store/store.js';
import type { Logger } from '../log.js';

/**
 * A session's event log writer. Appends are batched per tick: everything appended in one turn of
 * the event loop is written in one statement, then published, so an event is stored before any
 * client sees it. Adjacent text deltas of the same part within a batch are merged into one event
 * (deltas stay deltas; nothing is re-sent cumulatively). `seq` is assigned here and only here,
 * which is what keeps it gap-free: the actor owning this timeline is its session's only writer.
 */
export class Timeline {
  private pending: EventInput[] = [];
  /** Numbered but not yet stored (a failed write is retried with the same seqs). */
  private unsaved: SessionEvent[] = [];
  /** Bridge positions reached by the pending / unsaved events, stored with them. */
  private pendingCheckpoints = new Map<string, number>();
  private unsavedCheckpoints: BridgeCheckpoint[] = [];
  private draining = false;
  private scheduled = false;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly sessionId: string,
    private readonly events: EventRepo,
    private lastSeq: number,
    private readonly publish: (events: SessionEvent[]) => void,
    private readonly log: Logger,
  ) {}

  get seq(): number {
    return this.lastSeq;
  }

  /** `checkpoint`: the bridge message this event comes from, recorded as applied along with it. */
  append(event: EventInput, checkpoint?: BridgeCheckpoint): void {
    if (this.closed) {
      this.log.warn(
        { sessionId: this.sessionId, type: event.type },
        'event appended after the timeline closed',
      );
      return;
    }
    this.pending.push(event);
    if (checkpoint) {
      const known = this.pendingCheckpoints.get(checkpoint.sandboxId) ?? 0;
      this.pendingCheckpoints.set(checkpoint.sandboxId, Math.max(known, checkpoint.lastBridgeId));
    }
    this.schedule();
  }

  /** Resolves once everything appended so far is stored and published. */
  flushed(): Promise<void> {
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops accepting events; what was appended is still written. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushed();
  }

  idle(): boolean {
    return !this.draining && !this.scheduled && this.pending.length === 0 && this.unsaved.length === 0;
  }

  private schedule(): void {
    if (this.scheduled || this.draining) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    let failures = 0;
    while (this.pending.length > 0 || this.unsaved.length > 0) {
      if (this.unsaved.length === 0) {
        this.number(coalesce(this.pending.splice(0)));
        this.unsavedCheckpoints = [...this.pendingCheckpoints].map(([sandboxId, lastBridgeId]) => ({
          sandboxId,
          lastBridgeId,
        }));
        this.pendingCheckpoints.clear();
      }
      try {
        await this.events.append(
          this.unsaved.map((e) => this.stored(e)),
          this.unsavedCheckpoints,
        );
      } catch (err) {
        failures += 1;
        this.log.error({ err, sessionId: this.sessionId, failures }, 'could not store events; retrying');
        if (failures >= 10) {
          // The session is most likely gone (deleted); nothing can hold these events any more.
          this.log.error({ sessionId: this.sessionId, dropped: this.unsaved.length }, 'giving up on events');
          this.unsaved = [];
          this.pending = [];
          this.unsavedCheckpoints = [];
          this.pendingCheckpoints.clear();
          break;
        }
        await new Promise((r) => setTimeout(r, Math.min(1000, 20 * 2 ** failures)));
        continue;
      }
      const saved = this.unsaved;
      this.unsaved = [];
      this.unsavedCheckpoints = [];
      failures = 0;
      this.publish(saved);
    }
    this.draining = false;
    if (this.pending.length > 0) return this.schedule();
    const waiters = this.waiters.splice(0);
    for (const w of waiters) w();
  }

  private number(batch: EventInput[]): void {
    const at = new Date().toISOString();
    this.unsaved = batch.map((e) => ({ ...e, seq: ++this.lastSeq, at }) as SessionEvent);
  }

  private stored(e: SessionEvent): StoredEvent {
    return { sessionId: this.sessionId, seq: e.seq, type: e.type, at: e.at, data: e.data };
  }
}

/** Merges runs of adjacent text deltas for the same message part. */
export function coalesce(batch: EventInput[]): EventInput[] {
  const out: EventInput[] = [];
  for (const event of batch) {
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.type === 'sandbox_event' &&
      event.type === 'sandbox_event' &&
      prev.data.kind === 'text' &&
      event.data.kind === 'text' &&
      prev.data.partId === event.data.partId &&
      prev.data.messageId === event.data.messageId
    ) {
      out[out.length - 1] = {
        type: 'sandbox_event',
        data: { ...prev.data, delta: prev.data.delta + event.data.delta },
      };
    } else {
      out.push(event);
    }
  }
  return out;
}
