/**
 * A small control-plane end of the bridge for tests: it speaks the protocol (Bearer auth, hello,
 * ids stored once, cumulative acks) and keeps what it stored across restarts, like a database
 * would, so a test can kill it mid-stream and bring it back on the same port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { BridgeUp, type BridgeDown } from '@nightshift/protocol';

export interface BridgePeerOptions {
  token: string;
  /** Ack every message at once (default) or only when `ackNow()` is called. */
  autoAck?: boolean;
}

export class TestBridgePeer {
  /** Every stored message, in the order stored (no hellos). */
  readonly stored: BridgeUp[] = [];
  /** Every frame received, including duplicates and hellos. */
  readonly received: BridgeUp[] = [];
  readonly hellos: Extract<BridgeUp, { type: 'hello' }>[] = [];
  refused = 0;
  private lastId = 0;
  private server: http.Server | null = null;
  private wss: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private waiters: Array<() => void> = [];
  port = 0;

  constructor(private readonly options: BridgePeerOptions) {}

  get url(): string {
    return `ws://127.0.0.1:${this.port}/bridge`;
  }

  get connected(): boolean {
    return this.socket !== null;
  }

  async start(): Promise<void> {
    const server = http.createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if (req.headers.authorization !== `Bearer ${this.options.token}`) {
        this.refused += 1;
        socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.wss = wss;
  }

  /** Kills the control plane: connections drop without a close handshake. */
  async kill(): Promise<void> {
    for (const client of this.wss?.clients ?? []) client.terminate();
    this.socket = null;
    this.wss?.close();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  send(message: BridgeDown): void {
    this.socket?.send(JSON.stringify(message));
  }

  sendRaw(text: string): void {
    this.socket?.send(text);
  }

  ackNow(): void {
    this.send({ type: 'ack', upTo: this.lastId });
  }

  /** Resolves when `predicate` holds over what was stored. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the bridge');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private accept(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    ws.on('close', () => {
      if (this.socket === ws) this.socket = null;
    });
    ws.on('message', (raw) => {
      const message = BridgeUp.parse(JSON.parse(raw.toString()));
      this.received.push(message);
      if (message.type === 'hello') {
        this.hellos.push(message);
        this.send({ type: 'ack', upTo: this.lastId });
      } else if (message.id > this.lastId) {
        this.lastId = message.id;
        this.stored.push(message);
        if (this.options.autoAck !== false) this.send({ type: 'ack', upTo: this.lastId });
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }
}
