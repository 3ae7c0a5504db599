import type { ConnectionState, TimelineFollow } from '@nightshift/client';
import type { ClientFrame, ServerSignalFrame, SessionEvent } from '@nightshift/protocol';
import { api } from './client.js';

export type { ConnectionState };

export interface SessionSocketHandlers {
  /** Timeline events, batched per frame so a 20k-event replay renders once. */
  onEvents(events: SessionEvent[]): void;
  onSignal(frame: ServerSignalFrame): void;
  onState(state: ConnectionState): void;
  /** Called on every (re)connect, to re-announce presence. */
  onOpen(): void;
}

/**
 * One session's live timeline for the page: the client's follower (which reconnects by itself,
 * resuming after the last event it delivered) with its events gathered into one batch per frame,
 * so React renders a burst once instead of once per event.
 */
export class SessionSocket {
  private readonly follow: TimelineFollow;
  private batch: SessionEvent[] = [];
  private flushScheduled = false;
  /** Once the page has let go, nothing more reaches it, not even a batch still pending. */
  private closed = false;

  constructor(
    sessionId: string,
    after: number,
    private readonly handlers: SessionSocketHandlers,
  ) {
    const flush = () => {
      this.flushScheduled = false;
      if (this.closed || this.batch.length === 0) return;
      const events = this.batch;
      this.batch = [];
      handlers.onEvents(events);
    };
    this.follow = api.follow(sessionId, {
      after,
      onEvent: (event) => {
        this.batch.push(event);
        if (this.flushScheduled) return;
        this.flushScheduled = true;
        // rAF does not run in background tabs; a timeout keeps the state current there too.
        setTimeout(flush, 16);
      },
      onSignal: (frame) => {
        if (this.closed) return;
        flush(); // keep signals ordered after the events that preceded them
        handlers.onSignal(frame);
      },
      onState: (state) => {
        if (this.closed) return;
        if (state !== 'open') flush();
        handlers.onState(state);
        if (state === 'open') handlers.onOpen();
      },
    });
    // Following ends for good only when the session is gone; the state then says `closed`.
    this.follow.done.catch(() => undefined);
  }

  send(frame: ClientFrame): boolean {
    return this.follow.send(frame);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.follow.close();
    this.handlers.onState('closed');
  }
}
