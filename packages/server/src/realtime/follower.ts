import type { SessionEvent } from '@nightshift/protocol';
import type { RealtimeHub } from './hub.js';

const REPLAY_PAGE = 1000;

/** Where a follower reads the stored timeline from (the session registry). */
export interface TimelinePages {
  /** Events with seq above `after`, ascending, at most `limit`; none for a session that is gone. */
  timelinePage(sessionId: string, after: number, limit: number): Promise<SessionEvent[]>;
}

export interface FollowerSink {
  /** Sends events to the client; returns false when the client has fallen too far behind. */
  send(events: SessionEvent[]): boolean;
  /** Resolves when the client can take more (used to pace replay, not live delivery). */
  ready(): Promise<void>;
  /** Called once when the follower gives up on a client that cannot keep up. */
  overflow(lastSeq: number): void;
  closed(): void;
}

/**
 * Replay-then-live for one client: listen first, then replay what is stored, then release what
 * arrived live meanwhile. Anything at or below the last sent seq is dropped, so the client sees
 * each event exactly once and in order, whatever the timing.
 */
export class TimelineFollower {
  private live = false;
  private held: SessionEvent[] = [];
  private stopped = false;
  private unsubscribe: () => void = () => {};

  constructor(
    private readonly sessionId: string,
    private readonly timeline: TimelinePages,
    private readonly hub: RealtimeHub,
    private lastSeq: number,
    private readonly sink: FollowerSink,
    private readonly maxHeld = 10_000,
  ) {}

  get position(): number {
    return this.lastSeq;
  }

  async start(): Promise<void> {
    this.unsubscribe = this.hub.subscribe(this.sessionId, {
      onEvents: (events) => this.onLive(events),
      onSessionClosed: () => {
        this.stop();
        this.sink.closed();
      },
    });
    for (;;) {
      if (this.stopped) return;
      const page = await this.timeline.timelinePage(this.sessionId, this.lastSeq, REPLAY_PAGE);
      if (this.stopped) return;
      // A page goes out as one batch (one write per page, not per event). Replay is paced by the
      // client: a full buffer here means wait, not give up.
      const fresh = page.filter((event) => event.seq > this.lastSeq);
      if (fresh.length > 0) {
        this.lastSeq = fresh[fresh.length - 1]!.seq;
        if (!this.sink.send(fresh)) await this.sink.ready();
      }
      if (page.length < REPLAY_PAGE) break;
    }
    if (this.stopped) return;
    this.live = true;
    const held = this.held;
    this.held = [];
    this.deliver(held);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    this.held = [];
  }

  private onLive(events: SessionEvent[]): void {
    if (this.stopped) return;
    if (!this.live) {
      this.held.push(...events);
      if (this.held.length > this.maxHeld) this.giveUp();
      return;
    }
    this.deliver(events);
  }

  private deliver(events: SessionEvent[]): void {
    // Live batches are in seq order and almost always all new: no copy per client then.
    const fresh =
      events[0] && events[0].seq > this.lastSeq ? events : events.filter((e) => e.seq > this.lastSeq);
    if (fresh.length === 0) return;
    this.lastSeq = fresh[fresh.length - 1]!.seq;
    if (!this.sink.send(fresh)) this.giveUp();
  }

  private giveUp(): void {
    if (this.stopped) return;
    this.stop();
    this.sink.overflow(this.lastSeq);
  }
}
