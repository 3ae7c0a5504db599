import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { BridgeUp, describeIssues, type BridgeDown } from '@nightshift/protocol';
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

/** The control plane's end of one sandbox's bridge connection. */
export interface BridgePeer {
  onMessage(message: BridgeUp): void;
  onConnect(send: (message: BridgeDown) => void, close: () => void): void;
  onDisconnect(): void;
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

/** Wires a bridge socket to its peer: frames are validated, a bad one is logged and skipped. */
export function attachBridge(ws: WebSocket, peer: BridgePeer, log: Logger): void {
  ws.on('message', (raw) => {
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
    peer.onMessage(parsed.data);
  });
  ws.on('close', () => peer.onDisconnect());
  ws.on('error', (err) => log.debug({ err }, 'bridge socket error'));
  peer.onConnect(
    (message) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    () => ws.close(4000, 'replaced by a newer connection'),
  );
}
