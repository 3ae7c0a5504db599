import type { SessionEvent } from '@nightshift/protocol';

/** Something that wants a session's events as they are stored. */
export interface EventListener {
  onEvents(events: SessionEvent[]): void;
  /** The session was deleted: nothing more will come. */
  onSessionClosed?(): void;
}

/**
 * Fan-out of stored events to whoever listens to a session. Delivery is synchronous and cheap;
 * each listener owns its buffering, so a slow client never holds up the others or the writer.
 */
export class RealtimeHub {
  private readonly listeners = new Map<string, Set<EventListener>>();

  subscribe(sessionId: string, listener: EventListener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) this.listeners.set(sessionId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(sessionId) === set) this.listeners.delete(sessionId);
    };
  }

  publish(sessionId: string, events: SessionEvent[]): void {
    const set = this.listeners.get(sessionId);
    if (!set) return;
    for (const listener of [...set]) listener.onEvents(events);
  }

  listenerCount(sessionId: string): number {
    return this.listeners.get(sessionId)?.size ?? 0;
  }

  closeSession(sessionId: string): void {
    const set = this.listeners.get(sessionId);
    this.listeners.delete(sessionId);
    for (const listener of set ?? []) listener.onSessionClosed?.();
  }
}
