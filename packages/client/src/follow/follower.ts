import { ClientFrame, type ServerSignalFrame, type SessionEvent } from '@nightshift/protocol';
import type { ApiError } from '../errors.js';
import { checkInput } from '../schema.js';
import { eventStep, readFrame, retryDelay, type IncomingFrame } from './decide.js';
import { OPEN, socketErrorReason, type WebSocketConstructor, type WebSocketLike } from './socket.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface FollowOptions {
  /** Only events with a greater `seq` are delivered (default 0: the whole timeline). */
  after?: number;
  /**
   * Called once per event, in order, never twice for one `seq`, and never with a gap. The next
   * frame waits for a returned promise. Return true to stop following.
   */
  onEvent(event: SessionEvent): void | boolean | Promise<void | boolean>;
  /** Presence, typing, acks, errors and pongs, in order with the events around them. */
  onSignal?(frame: ServerSignalFrame): void;
  /**
   * `connecting` at first, `open` on every (re)connect, `reconnecting` once per outage (with why),
   * `closed` when following has ended.
   */
  onState?(state: ConnectionState, reason?: string): void;
  signal?: AbortSignal;
  /** Delays between reconnection attempts; the last one repeats. */
  retryDelaysMs?: readonly number[];
  /** How often to ping; a connection silent for twice this long is given up as dead. */
  pingIntervalMs?: number;
}

export interface TimelineFollow {
  /** Sends a frame when connected (checked against the protocol first); false when not connected. */
  send(frame: ClientFrame): boolean;
  /** Stops following; `done` then resolves. */
  close(): void;
  /** The last seq delivered, once following ends; rejects when it cannot go on (the session is gone). */
  readonly done: Promise<number>;
}

/** What the follower needs from its client. */
export interface FollowDeps {
  WebSocket: WebSocketConstructor;
  /** The socket address that replays after `after`. */
  url(after: number): string;
  /** Asked when a connection could not open: the refusal that means following cannot go on, if any. */
  whyUnfollowable(): Promise<ApiError | null>;
}

type Attempt =
  | { kind: 'done' }
  | { kind: 'dropped'; reason: string; opened: boolean }
  | { kind: 'failed'; error: unknown };

const DEFAULT_RETRY_DELAYS_MS = [200, 500, 1000, 2000, 3000];
const DEFAULT_PING_INTERVAL_MS = 15_000;

/**
 * Follows a session's timeline over its WebSocket, replay first and then live. When a connection
 * drops (network, server restart, a gap) the next one asks for what comes after the last seq
 * delivered, so nothing is missed and nothing is delivered twice.
 */
export class TimelineFollower implements TimelineFollow {
  readonly done: Promise<number>;
  private lastSeq: number;
  private state: ConnectionState | null = null;
  private socket: WebSocketLike | null = null;
  private stopped = false;
  /** Ends the current connection attempt, or the wait before the next one. */
  private interrupt: () => void = () => {};

  constructor(
    private readonly deps: FollowDeps,
    private readonly options: FollowOptions,
  ) {
    this.lastSeq = options.after ?? 0;
    if (options.signal?.aborted) this.stopped = true;
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    this.done = this.run().finally(() => this.setState('closed'));
  }

  send(frame: ClientFrame): boolean {
    const checked = checkInput(ClientFrame, frame);
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(checked));
    return true;
  }

  close(): void {
    this.stopped = true;
    this.interrupt();
  }

  private async run(): Promise<number> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    let failures = 0;
    this.setState('connecting');
    while (!this.stopped) {
      const attempt = await this.connectOnce();
      if (attempt.kind === 'failed') throw attempt.error;
      if (attempt.kind === 'done' || this.stopped) break;
      this.setState('reconnecting', attempt.reason);
      if (attempt.opened) failures = 0;
      else {
        const fatal = await this.deps.whyUnfollowable();
        if (fatal) throw fatal;
      }
      await this.pause(retryDelay(failures, delays, Math.random()));
      failures += 1;
    }
    return this.lastSeq;
  }

  private connectOnce(): Promise<Attempt> {
    if (this.stopped) return Promise.resolve({ kind: 'done' });
    const pingEvery = this.options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS;
    return new Promise((resolve) => {
      const ws = new this.deps.WebSocket(this.deps.url(this.lastSeq));
      this.socket = ws;
      let settled = false;
      let opened = false;
      // Off once the outcome calls for no more deliveries (stop, gap); a plain close still
      // delivers what arrived before it.
      let delivering = true;
      let lastHeard = Date.now();
      // Frames are handled one at a time, in order, even when a handler is async.
      let processing: Promise<void> = Promise.resolve();

      const settle = (attempt: Attempt, end: 'close' | 'terminate' | 'none') => {
        if (settled) return;
        settled = true;
        clearInterval(pinger);
        this.socket = null;
        this.interrupt = () => {};
        if (end === 'close') ws.close(1000, 'done');
        else if (end === 'terminate') (ws.terminate ?? ws.close).call(ws);
        // The caller's idea of the last seq must be exact before the next attempt starts.
        void processing.then(() => resolve(attempt));
      };
      this.interrupt = () => {
        delivering = false;
        settle({ kind: 'done' }, 'terminate');
      };

      const pinger = setInterval(() => {
        if (Date.now() - lastHeard > pingEvery * 2) {
          delivering = false;
          settle({ kind: 'dropped', reason: 'the connection went silent', opened }, 'terminate');
        } else if (ws.readyState === OPEN) {
          ws.send(JSON.stringify({ type: 'ping' }));
        }
      }, pingEvery);

      const handle = async (frame: IncomingFrame) => {
        if (!delivering) return;
        if (frame.kind === 'signal') return this.options.onSignal?.(frame.frame);
        if (frame.kind !== 'event') return; // not something this client can read
        const step = eventStep(this.lastSeq, frame.event.seq);
        if (step === 'duplicate') return;
        if (step === 'gap') {
          // A fresh connection replays from where we are.
          delivering = false;
          settle({ kind: 'dropped', reason: `missed events after ${this.lastSeq}`, opened }, 'terminate');
          return;
        }
        this.lastSeq = frame.event.seq;
        if ((await this.options.onEvent(frame.event)) === true) {
          delivering = false;
          this.stopped = true;
          settle({ kind: 'done' }, 'close');
        }
      };
      const handleOrFail = async (frame: IncomingFrame) => {
        try {
          await handle(frame);
        } catch (error) {
          // A handler that throws ends following with its error, rather than silently skipping an event.
          delivering = false;
          this.stopped = true;
          settle({ kind: 'failed', error }, 'terminate');
        }
      };

      ws.addEventListener('open', () => {
        opened = true;
        lastHeard = Date.now();
        if (!settled) this.setState('open');
      });
      ws.addEventListener('message', ({ data }) => {
        lastHeard = Date.now();
        const frame = readFrame(data);
        processing = processing.then(() => handleOrFail(frame));
      });
      ws.addEventListener('error', (event) =>
        settle({ kind: 'dropped', reason: socketErrorReason(event), opened }, 'none'),
      );
      ws.addEventListener('close', ({ code, reason }) =>
        settle({ kind: 'dropped', reason: reason || `closed (${code})`, opened }, 'none'),
      );
    });
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.interrupt = done;
    });
  }

  private setState(state: ConnectionState, reason?: string): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState?.(state, reason);
  }
}
