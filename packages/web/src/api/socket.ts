import type { ClientFrame, ServerSignalFrame, SessionEvent } from '@nightshift/protocol';
import { socketUrl } from './client.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SessionSocketHandlers {
  /** Timeline events, batched per animation frame so a 20k-event replay renders once. */
  onEvents(events: SessionEvent[]): void;
  onSignal(frame: ServerSignalFrame): void;
  onState(state: ConnectionState): void;
  /** Called on every (re)connect, to re-announce presence. */
  onOpen(): void;
}

const PING_MS = 20_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * One session's WebSocket that reconnects by itself. Each (re)connect asks the server to replay
 * from `lastSeq()` — the caller's last applied seq — so nothing is missed; anything replayed
 * twice is dropped by the reducer's seq check.
 */
export class SessionSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private batch: SessionEvent[] = [];
  private flushScheduled = false;
  private stopped = false;

  constructor(
    private readonly sessionId: string,
    private readonly lastSeq: () => number,
    private readonly handlers: SessionSocketHandlers,
  ) {
    this.connect();
  }

  send(frame: ClientFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.ws?.close(1000, 'leaving');
    this.handlers.onState('closed');
  }

  private connect(): void {
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(socketUrl(this.sessionId, this.lastSeq()));
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.handlers.onState('open');
      this.handlers.onOpen();
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    };
    ws.onmessage = (msg) => this.receive(msg.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      clearInterval(this.pingTimer);
      this.flush();
      this.ws = null;
      if (this.stopped) return;
      // Quick first retry (a server restart is usually back in well under a second), then back off.
      const delay = Math.min(MAX_BACKOFF_MS, 200 * 2 ** this.attempt) * (0.75 + Math.random() * 0.5);
      this.attempt += 1;
      this.handlers.onState('reconnecting');
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    // Timeline events are told apart from signals by their seq (API.md).
    if (typeof (frame as { seq?: unknown }).seq === 'number') {
      this.batch.push(frame as SessionEvent);
      this.scheduleFlush();
    } else {
      this.flush(); // keep signals ordered after the events that preceded them
      this.handlers.onSignal(frame as ServerSignalFrame);
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // rAF does not run in background tabs; a timeout keeps the state current there too.
    setTimeout(() => this.flush(), 16);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.handlers.onEvents(events);
  }
}
