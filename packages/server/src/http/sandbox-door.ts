import { chmodSync, mkdirSync, unlinkSync } from 'node:fs';
import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import type { Logger } from '../log.js';
import { BRIDGE_PATH } from '../sandboxes/bridge-endpoint.js';
import { MODEL_PROXY_PREFIX } from '../models/proxy.js';

/**
 * Each sandbox's own way in: a Unix socket the control plane listens on for that sandbox alone,
 * bound into it (`sandboxes/local/bwrap-args.ts`). A connection accepted there is fed to the same
 * HTTP server as TCP clients, remembered as that sandbox's: the socket it came through, not a
 * lookup of who holds a TCP port, is what says a request comes from a sandbox, and whose.
 */
export class SandboxDoors {
  private readonly doors = new Map<string, Server>();
  private readonly sessionBySocket = new WeakMap<Socket, string>();
  private http: HttpServer | null = null;

  constructor(private readonly log: Logger) {}

  attach(server: HttpServer): void {
    this.http = server;
  }

  /**
   * Listens at `socketPath` for the session's sandbox, replacing a socket a previous control plane
   * left there (a surviving sandbox reconnects to the new one: it sees the directory, not the file).
   */
  async open(sessionId: string, socketPath: string): Promise<SandboxDoor> {
    // A session's next sandbox may start before the last one's exit is noticed: the newest door wins.
    this.doors.get(sessionId)?.close();
    mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o755 });
    try {
      unlinkSync(socketPath);
    } catch {
      // None there yet.
    }
    const door = createServer((socket) => {
      this.sessionBySocket.set(socket, sessionId);
      if (this.http) this.http.emit('connection', socket);
      else socket.destroy();
    });
    door.on('error', (err) => this.log.error({ err, sessionId }, 'sandbox door failed'));
    this.doors.set(sessionId, door);
    await new Promise<void>((resolve, reject) => {
      door.once('error', reject);
      door.listen(socketPath, () => {
        door.off('error', reject);
        resolve();
      });
    });
    // The sandbox's uid (another one, as root) must be able to connect; the directory is not
    // writable to it, so it cannot put anything of its own in the socket's place.
    chmodSync(socketPath, 0o666);
    return {
      close: () => {
        if (this.doors.get(sessionId) !== door) return; // replaced: the newer one stays open
        door.close();
        this.doors.delete(sessionId);
      },
    };
  }

  closeAll(): void {
    for (const door of this.doors.values()) door.close();
    this.doors.clear();
  }

  /** The session whose sandbox sent this request, when it came through a door. */
  sessionOf(req: IncomingMessage): string | undefined {
    return this.sessionBySocket.get(req.socket);
  }
}

export interface SandboxDoor {
  /** Stops listening, unless a newer door for the session took its place. */
  close(): void;
}

/** On a sandbox's door only its bridge, its own session's git endpoint and the model proxy answer. */
export function isDoorRoute(sessionId: string, rawUrl: string | undefined): boolean {
  let pathname: string;
  try {
    pathname = new URL(rawUrl ?? '/', 'http://door').pathname;
  } catch {
    return false;
  }
  return (
    pathname === BRIDGE_PATH ||
    pathname.startsWith(`/git/${encodeURIComponent(sessionId)}.git/`) ||
    pathname.startsWith(MODEL_PROXY_PREFIX)
  );
}
