import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { ClientFrame, describeIssues, type Author, type ServerSignalFrame } from '@nightshift/protocol';
import type { SessionRegistry } from '../sessions/session-registry.js';
import type { RealtimeHub } from './hub.js';
import { PresenceRoster } from './presence.js';
import { TimelineFollower } from './follower.js';
import { eventFrameBytes } from './frames.js';
import { commandFailedFrame, errorFrame } from './error-frames.js';
import { SessionError } from '../sessions/errors.js';
import { newId } from '../ids.js';
import type { Logger } from '../log.js';
import { principalAuthor, type Principal } from '../auth/principal.js';

export interface SocketLimits {
  /** Bytes a client may have waiting before it is dropped as too slow. */
  maxBufferedBytes: number;
}

/** Events are JSON text; ws would send a Buffer as a binary frame unless told otherwise. */
const TEXT_FRAME = { binary: false } as const;

/** Close codes a client can act on. */
export const CLOSE_SESSION_DELETED = 4404;
export const CLOSE_SHUTDOWN = 1001;

interface Connection {
  id: string;
  ws: WebSocket;
  sessionId: string;
  /** In team mode the signed-in person: frames cannot change who this connection is. */
  principal: Principal;
  user: Author | null;
  follower: TimelineFollower;
}

/**
 * The session WebSocket: replay then live events, commands in, presence and typing between
 * participants. A bad frame is answered with an error frame; the socket stays open.
 */
export class SessionSockets {
  private readonly connections = new Map<string, Set<Connection>>();
  readonly presence = new PresenceRoster();

  constructor(
    private readonly registry: SessionRegistry,
    private readonly hub: RealtimeHub,
    private readonly log: Logger,
    private readonly limits: SocketLimits,
  ) {}

  /** `transport`: the socket under `ws`, corked while a batch of events is handed to it. */
  accept(
    ws: WebSocket,
    sessionId: string,
    after: number,
    transport?: Writable,
    principal: Principal = { kind: 'local' },
  ): void {
    const id = newId('sbx').replace('sbx_', 'conn_');
    const follower = new TimelineFollower(sessionId, this.registry, this.hub, after, {
      send: (events) => {
        if (ws.readyState !== ws.OPEN) return true;
        // The events stored in one tick leave in one write: a system call per frame and client is
        // what fan-out to many clients spends most of its time on.
        transport?.cork();
        for (const e of events) ws.send(eventFrameBytes(e), TEXT_FRAME);
        transport?.uncork();
        return ws.bufferedAmount <= this.limits.maxBufferedBytes;
      },
      ready: () => drained(ws, this.limits.maxBufferedBytes / 4),
      // A close frame would queue behind megabytes the client is not reading: cut it off instead.
      // The client sees an abnormal close and resumes with ?after=<last seq it got>.
      overflow: () => ws.terminate(),
      closed: () => ws.close(CLOSE_SESSION_DELETED, 'session deleted'),
    });
    const conn: Connection = {
      id,
      ws,
      sessionId,
      principal,
      user: principalAuthor(principal) ?? null,
      follower,
    };
    let set = this.connections.get(sessionId);
    if (!set) this.connections.set(sessionId, (set = new Set()));
    set.add(conn);

    ws.on('message', (raw, isBinary) => {
      void this.onFrame(conn, isBinary ? null : raw.toString()).catch((err) =>
        this.log.error({ err, sessionId }, 'websocket frame handling failed'),
      );
    });
    ws.on('close', () => this.onClose(conn));
    ws.on('error', (err) => this.log.debug({ err, sessionId }, 'websocket error'));

    this.sendSignal(conn, { type: 'presence_update', participants: this.presence.participants(sessionId) });
    follower.start().catch((err) => {
      this.log.error({ err, sessionId }, 'replay failed');
      ws.close(1011, 'replay failed; reconnect');
    });
  }

  connectionCount(sessionId: string): number {
    return this.connections.get(sessionId)?.size ?? 0;
  }

  closeAll(code: number, reason: string): void {
    for (const set of this.connections.values()) for (const c of set) c.ws.close(code, reason);
  }

  private async onFrame(conn: Connection, text: string | null): Promise<void> {
    if (text === null) return this.sendError(conn, 'invalid_frame', 'frames must be JSON text, not binary');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.sendError(conn, 'invalid_json', 'frame is not valid JSON');
    }
    const clientRequestId =
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { clientRequestId?: unknown }).clientRequestId === 'string'
        ? (value as { clientRequestId: string }).clientRequestId
        : undefined;
    const parsed = ClientFrame.safeParse(value);
    if (!parsed.success) {
      return this.sendError(conn, 'invalid_frame', describeIssues(parsed.error), clientRequestId);
    }
    const frame = parsed.data;
    try {
      switch (frame.type) {
        case 'ping':
          return this.sendSignal(conn, { type: 'pong' });
        case 'presence': {
          // A signed-in person appears under their own name, whatever the frame says.
          const user = principalAuthor(conn.principal) ?? frame.user;
          conn.user = user;
          if (this.presence.set(conn.sessionId, conn.id, user, frame.status))
            this.broadcastPresence(conn.sessionId);
          return;
        }
        case 'typing': {
          if (conn.user) this.broadcastSignal(conn.sessionId, { type: 'typing', user: conn.user }, conn);
          const actor = await this.registry.require(conn.sessionId);
          await actor.warm();
          return;
        }
        case 'prompt': {
          const actor = await this.registry.require(conn.sessionId);
          const accepted = await actor.submit({
            text: frame.text,
            author: principalAuthor(conn.principal) ?? frame.author ?? conn.user ?? undefined,
            model: frame.model,
            clientRequestId: frame.clientRequestId,
          });
          if (frame.clientRequestId) {
            this.sendSignal(conn, {
              type: 'ack',
              clientRequestId: frame.clientRequestId,
              messageId: accepted.messageId,
            });
          }
          return;
        }
        case 'stop': {
          const actor = await this.registry.require(conn.sessionId);
          return await actor.stop(frame.clearQueue ?? false);
        }
        case 'cancel': {
          const actor = await this.registry.require(conn.sessionId);
          await actor.cancel(frame.messageId);
          return;
        }
      }
    } catch (err) {
      if (!(err instanceof SessionError)) {
        this.log.error({ err, sessionId: conn.sessionId }, 'websocket command failed');
      }
      return this.sendSignal(conn, commandFailedFrame(err, clientRequestId));
    }
  }

  private onClose(conn: Connection): void {
    conn.follower.stop();
    const set = this.connections.get(conn.sessionId);
    set?.delete(conn);
    if (set?.size === 0) this.connections.delete(conn.sessionId);
    if (this.presence.remove(conn.sessionId, conn.id)) this.broadcastPresence(conn.sessionId);
  }

  private broadcastPresence(sessionId: string): void {
    this.broadcastSignal(sessionId, {
      type: 'presence_update',
      participants: this.presence.participants(sessionId),
    });
  }

  private broadcastSignal(sessionId: string, frame: ServerSignalFrame, except?: Connection): void {
    for (const c of this.connections.get(sessionId) ?? []) if (c !== except) this.sendSignal(c, frame);
  }

  private sendError(conn: Connection, code: string, message: string, clientRequestId?: string): void {
    this.sendSignal(conn, errorFrame(code, message, clientRequestId));
  }

  private sendSignal(conn: Connection, frame: ServerSignalFrame): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    conn.ws.send(JSON.stringify(frame));
    if (conn.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      conn.follower.stop();
      conn.ws.terminate();
    }
  }
}

/** Resolves once the socket's send buffer is below `bytes` (or it closed). */
function drained(ws: WebSocket, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (ws.readyState !== ws.OPEN || ws.bufferedAmount <= bytes) resolve();
      else setTimeout(check, 10);
    };
    check();
  });
}
