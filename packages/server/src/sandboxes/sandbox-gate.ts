import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { BRIDGE_PATH } from './bridge-endpoint.js';
import type { Endpoint } from './provider.js';
import { MODEL_PROXY_PREFIX } from '../models/proxy.js';

/** The only routes a sandbox may use: its bridge, the git endpoint and the model proxy. */
export function isSandboxRoute(pathname: string): boolean {
  return pathname === BRIDGE_PATH || pathname.startsWith('/git/') || pathname.startsWith(MODEL_PROXY_PREFIX);
}

export const SANDBOX_FORBIDDEN = {
  status: 403,
  code: 'sandbox_forbidden',
  message:
    'a sandbox may not use the control plane’s API; only its bridge, git and model proxy endpoints answer it',
} as const;

/**
 * Keeps agents away from the API: in local mode it needs no login, so an agent that reached it
 * could read every session and prompt in anyone's name. Who is at the other end is decided once
 * per connection (keep-alive requests reuse the answer).
 */
export class SandboxGate {
  private readonly verdicts = new WeakMap<Socket, boolean>();
  private readonly reported = new WeakSet<Socket>();

  constructor(
    private readonly isSandboxPeer: (remote: Endpoint, local: Endpoint) => boolean,
    /** Told once per connection, so an agent that keeps trying cannot flood the log. */
    private readonly onRefused: (request: { method: string; path: string }) => void = () => {},
  ) {}

  refuses(req: IncomingMessage): boolean {
    // Who is asking first (cached per connection): everyone else's requests pay nothing more.
    if (!this.fromSandbox(req.socket)) return false;
    // Parsed as a path, never as a URL with a host (`//a:99999/` would throw): unparseable is refused.
    const url = URL.parse(`http://localhost${req.url ?? '/'}`);
    const pathname = url?.pathname ?? '(unparseable)';
    if (url && isSandboxRoute(pathname)) return false;
    if (!this.reported.has(req.socket)) {
      this.reported.add(req.socket);
      this.onRefused({ method: req.method ?? 'GET', path: pathname });
    }
    return true;
  }

  /** Whether the request came from inside a sandbox (over TCP, where it shares the host's network). */
  isFromSandbox(req: IncomingMessage): boolean {
    return this.fromSandbox(req.socket);
  }

  private fromSandbox(socket: Socket): boolean {
    let verdict = this.verdicts.get(socket);
    if (verdict === undefined) {
      const { remoteAddress, remotePort, localAddress, localPort } = socket;
      verdict =
        remoteAddress === undefined ||
        remotePort === undefined ||
        localAddress === undefined ||
        localPort === undefined
          ? true // already closed: nobody to answer
          : this.isSandboxPeer(
              { address: remoteAddress, port: remotePort },
              { address: localAddress, port: localPort },
            );
      this.verdicts.set(socket, verdict);
    }
    return verdict;
  }
}
