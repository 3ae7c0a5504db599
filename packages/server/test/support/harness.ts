import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WebSocket } from 'ws';
import { NightshiftClient } from '@nightshift/client';
import type { SessionEvent } from '@nightshift/protocol';
import { startServer, type RunningServer, type StartOptions } from '../../src/server.js';

export function tempDir(prefix = 'ns-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A real git repository with one commit on `main`, to point sessions at. */
export function makeRepo(dir = tempDir('ns-repo-'), branch = 'main'): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', branch);
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'init');
  return dir;
}

export interface TestServer extends RunningServer {
  dataDir: string;
  /** The typed public API of this server. */
  client: NightshiftClient;
  /** Any request, unchecked (a string body is sent as it is): for tests of what the server refuses. */
  api<T = unknown>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  stopAndClean(): Promise<void>;
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? tempDir('ns-data-');
  const server = await startServer({ port: 0, logLevel: 'silent', actorIdleMs: 60_000, ...options, dataDir });
  const client = new NightshiftClient({ baseUrl: server.url, WebSocket });
  return {
    ...server,
    dataDir,
    client,
    async api<T>(method: string, route: string, body?: unknown) {
      const { status, body: answer } = await client.raw(method, route, body);
      return { status, body: answer as T };
    },
    async stopAndClean() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that records every frame it gets. */
export class TestClient {
  readonly frames: Array<Record<string, unknown>> = [];
  readonly ws: WebSocket;
  private listeners: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      for (const l of this.listeners.splice(0)) l();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const l of this.listeners.splice(0)) l();
    });
  }

  static async connect(server: RunningServer, sessionId: string, after?: number): Promise<TestClient> {
    const url = `${server.url.replace('http', 'ws')}/api/sessions/${sessionId}/ws${after === undefined ? '' : `?after=${after}`}`;
    const client = new TestClient(url);
    await new Promise<void>((resolve, reject) => {
      client.ws.once('open', () => resolve());
      client.ws.once('error', reject);
    });
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  events(): SessionEvent[] {
    return this.frames.filter((f) => typeof f.seq === 'number') as unknown as SessionEvent[];
  }

  /** Waits until some frame satisfies the predicate; fails after `timeoutMs`. */
  async waitFor(
    predicate: (frames: Array<Record<string, unknown>>) => boolean,
    timeoutMs = 10_000,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (this.closed && !predicate(this.frames))
        throw new Error(`socket closed: ${JSON.stringify(this.closed)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.listeners.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.close();
  }
}

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function expectContiguous(events: Array<{ seq: number }>, from = 1): void {
  events.forEach((e, i) => {
    if (e.seq !== from + i)
      throw new Error(`seq gap or duplicate at index ${i}: expected ${from + i}, got ${e.seq}`);
  });
}
