import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { BridgeClose, BridgeUp, describeIssues, type BridgeDown } from '@nightshift/protocol';
import type { Logger } from '../log.js';

export const BRIDGE_PATH = '/api/sandboxes/bridge';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** One bridge connection as its peer sees it: each is its own object, so a late event names its own. */
export interface BridgeConnection {
  /** False once it closed, from either side. */
  readonly open: boolean;
  send(message: BridgeDown): void;
  /** Ends it from this side at once (replaced, refused, or its sandbox is gone). */
  close(reason: string): void;
  /** Pings the other end: true once it answers, false if it does not within `withinMs` or closes. */
  answers(withinMs: number): Promise<boolean>;
}

/** The control plane's end of one sandbox's bridge connections. */
export interface BridgePeer {
  /** A new connection; resolves whether it is taken. Its frames wait for the answer; a refused one is closed. */
  onConnect(connection: BridgeConnection): Promise<boolean>;
  onMessage(message: BridgeUp, from: BridgeConnection): void;
  /** Only ever for a connection `onConnect` took. */
  onDisconnect(connection: BridgeConnection): void;
}

/** Finds whose bridge a token opens; undefined refuses the connection. */
export type BridgeAuthenticator = (tokenHash: string) => BridgePeer | undefined;

/** Authenticates an upgrade request before the WebSocket handshake completes. */
export function authenticateBridge(
  req: IncomingMessage,
  authenticate: BridgeAuthenticator,
): BridgePeer | undefined {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
  return token ? authenticate(hashToken(token)) : undefined;
}

/**
 * What a connection may send before its peer has decided whether to take it (the peer may be
 * pinging the current one): a supervisor's re-send after a long disconnection fits; a flood does not.
 */
const MAX_WAITING_BYTES = 32 * 1024 * 1024;

/**
 * Wires a bridge socket to its peer: frames are validated (a bad one is logged and skipped) and
 * reach the peer only once it has taken the connection; until then they wait, in order.
 */
export function attachBridge(ws: WebSocket, peer: BridgePeer, log: Logger): void {
  let decision: 'pending' | 'taken' | 'refused' = 'pending';
  let closed = false;
  const waiting: BridgeUp[] = [];
  let waitingBytes = 0;
  const connection: BridgeConnection = {
    get open() {
      return !closed && ws.readyState === ws.OPEN;
    },
    send: (message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    close: (reason) => {
      log.debug({ reason }, 'closing a bridge connection');
      // No close handshake: a replaced connection is often one whose other end is gone.
      ws.terminate();
    },
    answers: (withinMs) => pinged(ws, withinMs),
  };
  ws.on('message', (raw) => {
    if (decision === 'refused') return;
    if (decision === 'pending') {
      waitingBytes += rawLength(raw);
      if (waitingBytes > MAX_WAITING_BYTES) {
        log.warn('bridge connection sent too much before it was taken; closed');
        ws.terminate();
        return;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.toString());
    } catch {
      log.warn('bridge frame is not JSON; ignored');
      return;
    }
    const parsed = BridgeUp.safeParse(value);
    if (!parsed.success) {
      log.warn({ problem: describeIssues(parsed.error) }, 'invalid bridge frame; ignored');
      return;
    }
    // ws calls these from its socket's callbacks, where a throw would end the server.
    try {
      if (decision === 'taken') peer.onMessage(parsed.data, connection);
      else if (decision === 'pending') waiting.push(parsed.data);
    } catch (err) {
      log.error({ err }, 'bridge frame handling failed');
    }
  });
  ws.on('close', () => {
    closed = true;
    try {
      if (decision === 'taken') peer.onDisconnect(connection);
    } catch (err) {
      log.error({ err }, 'bridge disconnect handling failed');
    }
  });
  ws.on('error', (err) => log.debug({ err }, 'bridge socket error'));
  void peer
    .onConnect(connection)
    .then(
      (taken) => {
        decision = taken ? 'taken' : 'refused';
        if (!taken) {
          ws.close(BridgeClose.alreadyConnected, 'this sandbox is connected on another connection');
          return;
        }
        // Gone already: what it sent is not acknowledged, so the supervisor sends it again.
        if (closed) return peer.onDisconnect(connection);
        for (const message of waiting.splice(0)) peer.onMessage(message, connection);
      },
      (err) => {
        log.error({ err }, 'could not take a bridge connection');
        ws.terminate();
      },
    )
    .catch((err) => log.error({ err }, 'bridge connection handling failed'));
}

function rawLength(raw: RawData): number {
  return Array.isArray(raw) ? raw.reduce((sum, part) => sum + part.byteLength, 0) : raw.byteLength;
}

function pinged(ws: WebSocket, withinMs: number): Promise<boolean> {
  if (ws.readyState !== ws.OPEN) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (answered: boolean) => {
      clearTimeout(timer);
      ws.off('pong', onPong);
      ws.off('close', onClose);
      resolve(answered);
    };
    const onPong = () => done(true);
    const onClose = () => done(false);
    const timer = setTimeout(() => done(false), withinMs);
    ws.on('pong', onPong);
    ws.on('close', onClose);
    ws.ping();
  });
}
