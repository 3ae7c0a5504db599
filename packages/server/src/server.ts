import { accessSync, constants, mkdirSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { WebSocketServer, type WebSocket } from 'ws';
import type pino from 'pino';
import { Author } from '@nightshift/protocol';
import { resolveConfig, ConfigError, type ServerConfig, type ServerOptions } from './config.js';
import { createLogger, type Logger } from './log.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { RealtimeHub } from './realtime/hub.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { SessionSockets, CLOSE_SHUTDOWN } from './realtime/websocket.js';
import type { AgentRunner } from './sessions/agent-runner.js';
import { createSandboxRunner } from './sandboxes/setup.js';
import { attachBridge, authenticateBridge, BRIDGE_PATH, hashToken } from './sandboxes/bridge-endpoint.js';
import type { LiveSandbox } from './sandboxes/live-sandbox.js';
import { SandboxGate, SANDBOX_FORBIDDEN } from './sandboxes/sandbox-gate.js';
import { createGitHttpHandler } from './scm/git-http.js';
import { localGitDir } from './scm/local-repo.js';
import { createApp } from './api/app.js';
import { webAppHandler } from './web/static.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const VERSION: string = JSON.parse(
  readFileSync(path.join(here, '..', 'package.json'), 'utf8'),
).version;

export interface StartOptions extends ServerOptions {
  /** How prompts run; defaults to the configured sandbox provider. */
  runner?: AgentRunner;
  logDestination?: pino.DestinationStream;
  /** Where the built web UI lives (defaults to packages/web/dist). */
  webRoot?: string;
  sseKeepAliveMs?: number;
  maxBufferedBytes?: number;
  stopGraceMs?: number;
  /** End every sandbox on close (tests); by default they survive and a restarted server adopts them. */
  killSandboxesOnClose?: boolean;
}

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  store: Store;
  registry: SessionRegistry;
  log: Logger;
  /** Stops accepting, closes sockets, flushes pending writes, closes the database. */
  close(): Promise<void>;
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  const log = createLogger(config.logLevel, options.logDestination);
  prepareDataDir(config.dataDir);

  const store = await openSqliteStore(path.join(config.dataDir, 'nightshift.db'));
  const hub = new RealtimeHub();
  let url = '';
  const sandboxes = options.runner ? null : createSandboxRunner(config, store, log, () => url);
  const runner: AgentRunner = options.runner ?? sandboxes!.runner;
  const sandboxRunner = sandboxes?.sandboxRunner ?? null;
  const registry = new SessionRegistry({
    store,
    runner,
    log,
    publish: (id, events) => hub.publish(id, events),
    defaultModel: config.model,
    defaultAuthor: defaultAuthor(),
    stopGraceMs: options.stopGraceMs ?? 15_000,
    idleMs: config.actorIdleMs,
    listenerCount: (id) => hub.listenerCount(id),
  });
  const sockets = new SessionSockets(registry, hub, log, {
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
  });
  const app = createApp({
    registry,
    hub,
    log,
    version: VERSION,
    sse: { keepAliveMs: options.sseKeepAliveMs ?? 15_000, maxQueued: 50_000 },
    maxBodyBytes: 1024 * 1024,
    web: webAppHandler(options.webRoot ?? path.resolve(here, '..', '..', 'web', 'dist')),
  });

  const honoListener = getRequestListener(app.fetch);
  const gitHandler = createGitHttpHandler(async (sessionId, password) => {
    const peer = sandboxRunner?.peerFor(hashToken(password)) as LiveSandbox | undefined;
    if (!peer || peer.options.sessionId !== sessionId) return undefined;
    const session = await store.sessions.get(sessionId);
    if (!session) return undefined;
    return { gitDir: await localGitDir(session.repo), pushableRef: `refs/heads/${session.branch}` };
  });
  const gate = sandboxRunner
    ? new SandboxGate(
        (remote, local) => sandboxRunner.isSandboxPeer(remote, local),
        (request) =>
          log.warn(request, 'refused a request from inside a sandbox: sandboxes may not use the API'),
      )
    : null;
  const server: Server = createServer((req, res) => {
    if (gate?.refuses(req)) {
      const { status, code, message } = SANDBOX_FORBIDDEN;
      res
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code, message } }));
      return;
    }
    if (req.url?.startsWith('/git/')) {
      gitHandler(req, res).catch((err) => {
        log.error({ err }, 'git request failed');
        if (!res.headersSent) res.writeHead(500).end();
        else res.end();
      });
      return;
    }
    void honoListener(req, res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  const bridges = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    void upgrade(req, socket, head).catch((err) => {
      log.error({ err }, 'websocket upgrade failed');
      socket.destroy();
    });
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (gate?.refuses(req)) {
      const { status, code, message } = SANDBOX_FORBIDDEN;
      return refuse(socket, status, code, message);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === BRIDGE_PATH) {
      const peer = sandboxRunner && authenticateBridge(req, (hash) => sandboxRunner.peerFor(hash));
      if (!peer) return refuse(socket, 401, 'unauthorized', 'a valid sandbox token is required');
      wss.handleUpgrade(req, socket, head, (ws) => {
        bridges.add(ws);
        ws.once('close', () => bridges.delete(ws));
        attachBridge(ws, peer, log);
      });
      return;
    }
    const match = /^\/api\/sessions\/([^/]+)\/ws$/.exec(url.pathname);
    if (!match) return refuse(socket, 404, 'not_found', `no WebSocket endpoint at ${url.pathname}`);
    const sessionId = decodeURIComponent(match[1]!);
    const afterParam = url.searchParams.get('after');
    const after = afterParam === null ? 0 : Number(afterParam);
    if (!Number.isInteger(after) || after < 0) {
      return refuse(socket, 400, 'invalid_request', 'after: must be a whole number, not negative');
    }
    if (!(await registry.get(sessionId)))
      return refuse(socket, 404, 'not_found', `session ${sessionId} not found`);
    wss.handleUpgrade(req, socket, head, (ws) => sockets.accept(ws, sessionId, after, socket));
  }

  await listen(server, config);
  const port = (server.address() as AddressInfo).port;
  url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const adopted = (await sandboxRunner?.adoptSurvivors()) ?? 0;
  const recovered = await registry.recoverAll();
  log.info({ url, dataDir: config.dataDir, recovered, adopted }, 'nightshift is up');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      server.close();
      sockets.closeAll(CLOSE_SHUTDOWN, 'server shutting down');
      server.closeAllConnections();
      await registry.flushAll();
      await registry.close();
      if (sandboxRunner) await sandboxRunner.close({ killSandboxes: options.killSandboxesOnClose ?? false });
      else await runner.close?.();
      // Surviving sandboxes keep their bridge open (heartbeats); left open, it would keep the
      // process from exiting and write to a closed database. They reconnect to the next server.
      for (const ws of bridges) ws.terminate();
      await store.close();
      wss.close();
    })());

  return { url, port, config, store, registry, log, close };
}

function listen(server: Server, config: ServerConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') {
        reject(
          new ConfigError(
            `port ${config.port} on ${config.host} is already in use (choose another with --port or NIGHTSHIFT_PORT)`,
          ),
        );
      } else if (err.code === 'EACCES') {
        reject(
          new ConfigError(`not allowed to listen on ${config.host}:${config.port} (try a port above 1024)`),
        );
      } else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        reject(new ConfigError(`cannot listen on host ${config.host}: no such address on this machine`));
      } else {
        reject(new ConfigError(`cannot listen on ${config.host}:${config.port}: ${err.message}`));
      }
    };
    server.once('error', onError);
    server.listen(config.port, config.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    const probe = path.join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    unlinkSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `data dir ${dir} is not writable (${code}); choose another with --data-dir or NIGHTSHIFT_DATA_DIR`,
    );
  }
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** In local mode a prompt without an author is the person running the server. */
function defaultAuthor(): Author {
  const read = (key: string) => {
    try {
      return execFileSync('git', ['config', '--get', key], { encoding: 'utf8', timeout: 2000 }).trim();
    } catch {
      return '';
    }
  };
  const parsed = Author.safeParse({ name: read('user.name'), email: read('user.email') });
  return parsed.success ? parsed.data : { name: 'Nightshift user', email: 'user@nightshift.local' };
}
