/**
 * The supervisor's end of the bridge: one outbound WebSocket to the control plane, re-opened with
 * backoff whenever it goes away. Every upward message waits in the outbox until acknowledged and
 * is sent again on the next connection, so work that goes on while the control plane is away
 * (a running prompt) is delivered when it is back, once.
 */
import { BridgeClose, BridgeDown, type BridgeUp } from '@nightshift/protocol';
import WebSocket from 'ws';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import { Outbox, type UpBody } from './outbox.js';

export type BridgeCommand = Exclude<BridgeDown, { type: 'ack' }>;

export interface BridgeClientOptions {
  /** The bridge endpoint: ws:// or wss://, or ws+unix:<socket>:<path> through the socket a sandbox with its own network is handed. */
  url: string;
  /** The sandbox token. Secret: sent only as `Authorization: Bearer`. */
  token: string;
  sandboxId: string;
  /** Asked on every (re)connection, for `hello`. */
  runningMessageId: () => string | null;
  /** Commands from the control plane, in order. Must not throw. */
  onCommand: (command: BridgeCommand) => void;
  /** Diagnostics (never contains the token). */
  onLog?: (level: 'info' | 'warn', message: string) => void;
  /** Default 5 s. */
  heartbeatMs?: number;
  /** Default 250 ms doubling to 5 s: well under the control plane's stale timeout (30 s). */
  backoff?: BackoffPolicy;
  /** A connection that answers no ping for this long is dropped and re-opened. Default 3 heartbeats. */
  deadAfterMs?: number;
}

export class BridgeClient {
  readonly outbox = new Outbox();
  private socket: WebSocket | null = null;
  private open = false;
  private closed = false;
  private attempt = 0;
  /** Connections refused in a row because another holds this sandbox's bridge. */
  private refusedInARow = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private ackWaiters: Array<() => void> = [];
  private connectWaiters: Array<() => void> = [];
  /** Connections opened so far (for diagnostics and tests). */
  connections = 0;

  constructor(private readonly options: BridgeClientOptions) {}

  get connected(): boolean {
    return this.open;
  }

  start(): void {
    this.connect();
  }

  /** Queues a message for the control plane; sent at once when connected. */
  send(body: UpBody): void {
    if (this.closed) return;
    // Heartbeats mean "alive now": one that could not be sent now is worth nothing later.
    if (body.type === 'heartbeat' && !this.open) return;
    const message = this.outbox.push(body);
    if (message && this.open) this.write(message);
  }

  /** Resolves once a connection is open (at once when one is). Never, after `close`. */
  whenConnected(): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve) => this.connectWaiters.push(resolve));
  }

  /** Resolves true once everything sent so far is acknowledged, false after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.outbox.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 200));
        this.ackWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Closes the connection for good. */
  close(): void {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    this.socket?.close(1000, 'supervisor exiting');
    this.socket = null;
    this.open = false;
  }

  private connect(): void {
    if (this.closed) return;
    const socket = new WebSocket(this.options.url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 10_000,
    });
    this.socket = socket;
    socket.on('open', () => this.onOpen(socket));
    // Only the current connection speaks for the control plane: a late frame on one already
    // replaced (an ack it sent before it went quiet) must not count.
    socket.on('message', (raw) => {
      if (socket === this.socket) this.onMessage(raw.toString());
    });
    socket.on('pong', () => {
      if (socket === this.socket) this.lastPong = Date.now();
    });
    socket.on('unexpected-response', (_req, res) => {
      this.log('warn', `bridge refused the connection: HTTP ${res.statusCode}`);
      socket.terminate();
    });
    socket.on('error', (error) => this.log('warn', `bridge connection error: ${error.message}`));
    socket.on('close', (code) => this.onClose(socket, code));
  }

  private onOpen(socket: WebSocket): void {
    if (socket !== this.socket) return;
    this.open = true;
    this.attempt = 0;
    this.connections += 1;
    this.lastPong = Date.now();
    this.log('info', `bridge connected (connection ${this.connections})`);
    // hello first: it tells a restarted control plane what is running and what we last heard it
    // store; then everything unacknowledged, in order (it drops ids it already has).
    this.write({
      type: 'hello',
      id: this.outbox.nextId(),
      sandboxId: this.options.sandboxId,
      runningMessageId: this.options.runningMessageId(),
      lastAckedId: this.outbox.lastAcked,
    });
    for (const message of this.outbox.resend()) this.write(message);
    this.startHeartbeat(socket);
    for (const w of this.connectWaiters.splice(0)) w();
  }

  private onMessage(raw: string): void {
    let parsed: ReturnType<typeof BridgeDown.safeParse>;
    try {
      parsed = BridgeDown.safeParse(JSON.parse(raw));
    } catch {
      this.log('warn', 'bridge frame is not JSON; ignored');
      return;
    }
    if (!parsed.success) {
      this.log('warn', `invalid bridge frame ignored: ${parsed.error.issues[0]?.message ?? ''}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'ack') {
      this.outbox.ack(message.upTo);
      for (const w of this.ackWaiters.splice(0)) w();
      return;
    }
    this.options.onCommand(message);
  }

  private onClose(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return;
    this.socket = null;
    const wasOpen = this.open;
    this.open = false;
    this.stopHeartbeat();
    if (this.closed) return;
    if (code === BridgeClose.alreadyConnected) {
      // Someone else holds this sandbox's bridge (its token leaked, or our old connection still
      // answers): said loudly, and retried with a growing delay, as the handshake reset it.
      this.refusedInARow += 1;
      this.attempt = this.refusedInARow;
      this.log('warn', 'the control plane refused this connection: another one holds this sandbox’s bridge');
    } else {
      this.refusedInARow = 0;
      if (wasOpen) this.log('warn', 'bridge disconnected; reconnecting');
    }
    const delay = backoffDelay(this.attempt, this.options.backoff ?? { initialMs: 250, maxMs: 5000 });
    this.attempt += 1;
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private write(message: BridgeUp): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(message));
    this.outbox.markSent(message.id);
  }

  private startHeartbeat(socket: WebSocket): void {
    const every = this.options.heartbeatMs ?? 5000;
    const deadAfter = this.options.deadAfterMs ?? every * 3;
    this.heartbeatTimer = setInterval(() => {
      // A half-open connection (the other host vanished) never errors by itself: ping it.
      if (Date.now() - this.lastPong > deadAfter) {
        this.log('warn', `bridge silent for ${deadAfter} ms; reconnecting`);
        socket.terminate();
        return;
      }
      socket.ping();
      this.send({ type: 'heartbeat' });
    }, every);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.options.onLog?.(level, message);
  }
}
