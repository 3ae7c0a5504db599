import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../log.js';
import {
  attachBridge,
  authenticateBridge,
  BRIDGE_PATH,
  type BridgeAuthenticator,
  type BridgePeer,
} from '../sandboxes/bridge-endpoint.js';
import { SANDBOX_FORBIDDEN, type SandboxGate } from '../sandboxes/sandbox-gate.js';
import { refuseUpgrade, type Refusal } from './refusal.js';
import { isDoorRoute } from './sandbox-door.js';
import { MALFORMED_TARGET, normaliseRequestTarget } from './request-target.js';
import { guardUpgrades } from './last-resort.js';
import type { Principal } from '../auth/principal.js';
import { clientError } from '../api/errors.js';

export type UpgradeRoute =
  | { kind: 'bridge' }
  | { kind: 'session'; sessionId: string; after: number }
  | { kind: 'refused'; refusal: Refusal };

/**
 * Where a WebSocket upgrade goes, from its URL alone: a sandbox's bridge, or a session's socket
 * (`/api/sessions/:id/ws?after=N`).
 */
export function routeUpgrade(rawUrl: string | undefined): UpgradeRoute {
  const target = normaliseRequestTarget(rawUrl);
  if (target === undefined) return { kind: 'refused', refusal: MALFORMED_TARGET };
  const url = new URL(`http://localhost${target}`);
  if (url.pathname === BRIDGE_PATH) return { kind: 'bridge' };
  const match = /^\/api\/sessions\/([^/]+)\/ws$/.exec(url.pathname);
  if (!match) return refused(404, 'not_found', `no WebSocket endpoint at ${url.pathname}`);
  const sessionId = decodedSegment(match[1]!);
  if (sessionId === undefined)
    return refused(400, 'invalid_request', 'the session id is not valid percent-encoding');
  const afterParam = url.searchParams.get('after');
  const after = afterParam === null ? 0 : Number(afterParam);
  if (!Number.isInteger(after) || after < 0) {
    return refused(400, 'invalid_request', 'after: must be a whole number, not negative');
  }
  return { kind: 'session', sessionId, after };
}

function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function refused(status: number, code: string, message: string): UpgradeRoute {
  return { kind: 'refused', refusal: { status, code, message } };
}

export interface UpgradeRoutesOptions {
  /** Keeps sandboxes to their own routes; null when no sandbox can reach this server. */
  gate: SandboxGate | null;
  /** Whose bridge a sandbox token opens; null when this server runs no sandboxes. */
  bridgePeer: BridgeAuthenticator | null;
  sessionExists(sessionId: string): Promise<boolean>;
  /**
   * Who a session socket acts for, judged on the handshake like any API request (cookie or
   * Bearer; a cookie's handshake must come from this origin); throws the refusal.
   */
  authenticate(req: IncomingMessage): Promise<Principal>;
  /** Which sandbox an upgrade came from, when it came through its door (`sandbox-door.ts`). */
  doorOf?: (req: IncomingMessage) => string | undefined;
  /** The session a bridge peer belongs to. */
  sessionOfPeer?: (peer: BridgePeer) => string | undefined;
  acceptSession(
    ws: WebSocket,
    sessionId: string,
    after: number,
    transport: Duplex,
    principal: Principal,
  ): void;
  log: Logger;
}

/** The server's WebSocket endpoints: it takes each upgrade to its route or refuses it with a status. */
export class UpgradeRoutes {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly bridges = new Set<WebSocket>();

  constructor(private readonly options: UpgradeRoutesOptions) {
    this.handle = guardUpgrades((req, socket, head) => this.upgrade(req, socket, head), options.log);
  }

  /** For the HTTP server's 'upgrade' event; nothing an upgrade request carries makes it throw. */
  readonly handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  /**
   * Surviving sandboxes keep their bridge open (heartbeats); left open, it would keep the process
   * from exiting and write to a closed database. They reconnect to the next server.
   */
  terminateBridges(): void {
    for (const ws of this.bridges) ws.terminate();
  }

  close(): void {
    this.wss.close();
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const target = normaliseRequestTarget(req.url);
    if (target === undefined) return refuseUpgrade(socket, MALFORMED_TARGET);
    req.url = target; // the gate judges the path the route is chosen by
    const door = this.options.doorOf?.(req);
    if (door !== undefined ? !isDoorRoute(door, target) : this.options.gate?.refuses(req))
      return refuseUpgrade(socket, SANDBOX_FORBIDDEN);
    const route = routeUpgrade(target);
    switch (route.kind) {
      case 'refused':
        return refuseUpgrade(socket, route.refusal);
      case 'bridge': {
        const { bridgePeer } = this.options;
        const peer = bridgePeer && authenticateBridge(req, bridgePeer);
        // Through a door, only that sandbox's own token opens a bridge: another session's is refused.
        if (peer && door !== undefined && this.options.sessionOfPeer?.(peer) !== door) {
          return refuseUpgrade(socket, SANDBOX_FORBIDDEN);
        }
        if (!peer) {
          return refuseUpgrade(socket, {
            status: 401,
            code: 'unauthorized',
            message: 'a valid sandbox token is required',
          });
        }
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          this.bridges.add(ws);
          ws.once('close', () => this.bridges.delete(ws));
          attachBridge(ws, peer, this.options.log);
        });
        return;
      }
      case 'session': {
        const { sessionId, after } = route;
        let principal: Principal;
        try {
          principal = await this.options.authenticate(req);
        } catch (err) {
          const refusal = clientError(err);
          if (!refusal) throw err;
          return refuseUpgrade(socket, refusal);
        }
        if (!(await this.options.sessionExists(sessionId))) {
          return refuseUpgrade(socket, {
            status: 404,
            code: 'not_found',
            message: `session ${sessionId} not found`,
          });
        }
        this.wss.handleUpgrade(req, socket, head, (ws) =>
          this.options.acceptSession(ws, sessionId, after, socket, principal),
        );
        return;
      }
    }
  }
}
