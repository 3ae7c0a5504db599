import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import type pino from 'pino';
import { Author } from '@nightshift/protocol';
import { isLoopbackHost, resolveConfig, type ServerConfig, type ServerOptions } from './config.js';
import { prepareDataDir } from './data-dir.js';
import { createLogger, type Logger } from './log.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { RealtimeHub } from './realtime/hub.js';
import { SessionRegistry } from './sessions/session-registry.js';
import { SessionSockets, CLOSE_SHUTDOWN } from './realtime/websocket.js';
import type { AgentRunner } from './sessions/agent-runner.js';
import { createSandboxRunner } from './sandboxes/setup.js';
import { SandboxGate } from './sandboxes/sandbox-gate.js';
import { createGitHttpHandler } from './scm/git-http.js';
import { sandboxGitGrants } from './scm/git-auth.js';
import { OriginMirrors } from './scm/origin-mirror.js';
import { createApp } from './api/app.js';
import { webAppHandler } from './web/static.js';
import { frontDoor } from './http/front-door.js';
import { UpgradeRoutes } from './http/upgrade-routes.js';
import { listen } from './http/listen.js';
import { SandboxDoors } from './http/sandbox-door.js';
import { LiveSandbox } from './sandboxes/live-sandbox.js';
import { guardServer } from './http/last-resort.js';
import { createModelServices } from './models/model-services.js';
import { createAuthProvider, createGitHubLinkProvider } from './auth/providers/create-provider.js';
import { createAuthServices, type AuthServices } from './auth/auth-services.js';
import { SecretsService } from './secrets/secret-service.js';
import { loadSecretKey } from './secrets/secret-key.js';
import { repoAllowed } from './auth/repo-access.js';
import { createGitHubServices } from './github/github-services.js';
import { GitHubUserTokens } from './github/user-tokens.js';
import { hostAwareProbe, sessionRepoFor } from './github/session-repos.js';
import { gitHubWebhooksFor } from './github/webhooks/github-webhooks.js';

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
  /** People, browser sessions, API tokens; the sign-in callback completes sign-ins through it. */
  auth: AuthServices;
  /** Stops accepting, closes sockets, flushes pending writes, closes the database. */
  close(): Promise<void>;
}

/** Wires the parts together and opens the door; what each part does is in its own module. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = resolveConfig(options);
  const log = createLogger(config.logLevel, options.logDestination);
  prepareDataDir(config.dataDir);

  const store = await openSqliteStore(path.join(config.dataDir, 'nightshift.db'));
  const hub = new RealtimeHub();
  const secretKey = loadSecretKey(config.secrets.key, config.dataDir);
  const secrets = new SecretsService({
    store,
    key: secretKey,
    repoAllowed: (repo) => repoAllowed(repo, config.auth.allowedRepos),
    log,
  });
  let url = '';
  const githubUserTokens = new GitHubUserTokens(store, secretKey, log);
  // Kept only when an App is configured: opening pull requests as the person is their one use.
  const auth = createAuthServices(config.auth, store, () => url, {
    ...(config.github ? { onGitHubToken: (id, token) => githubUserTokens.remember(id, token) } : {}),
  });
  const doors = new SandboxDoors(log);
  const models = createModelServices(config, store, log, (credential) =>
    sandboxRunner?.sessionForModelCredential(credential),
  );
  const sandboxes = options.runner
    ? null
    : createSandboxRunner(config, store, log, () => url, doors, secrets, models.upstreams);
  const runner: AgentRunner = options.runner ?? sandboxes!.runner;
  const sandboxRunner = sandboxes?.sandboxRunner ?? null;
  const github = await createGitHubServices({
    config,
    store,
    registry: () => registry,
    log,
    publicUrl: () => config.auth.publicUrl ?? url,
    localRequester: defaultAuthor(),
    userTokens: githubUserTokens,
  });
  const registry = new SessionRegistry({
    probe: hostAwareProbe(github?.host ?? null),
    store,
    runner,
    log,
    publish: (id, events) => hub.publish(id, events),
    defaultModel: config.model,
    defaultAuthor: defaultAuthor(),
    stopGraceMs: options.stopGraceMs ?? 15_000,
    idleMs: config.actorIdleMs,
    listenerCount: (id) => hub.listenerCount(id),
    admitPrompt: models.relays.admitPrompt,
    settleUsage: (id) => models.relays.settle(id),
  });
  const webhooks =
    github && config.github
      ? gitHubWebhooksFor({
          app: github.app,
          sessionRepo: (fullName) => sessionRepoFor(github.host, fullName),
          webhookSecret: config.github.webhookSecret,
          store,
          registry,
          auth,
          publicUrl: () => config.auth.publicUrl ?? url,
          subscribe: (id, onEvents) => hub.subscribe(id, { onEvents }),
          log,
        })
      : null;
  const sockets = new SessionSockets(registry, hub, log, {
    maxBufferedBytes: options.maxBufferedBytes ?? 8 * 1024 * 1024,
  });
  const signInProvider = createAuthProvider(config.auth);
  const githubLinkProvider = createGitHubLinkProvider(config.auth);
  const app = createApp({
    registry,
    hub,
    log,
    version: VERSION,
    authMode: config.auth.mode,
    signIn: signInProvider && {
      provider: signInProvider,
      signIn: auth.directory,
      publicUrl: config.auth.publicUrl,
      log,
    },
    githubLink: githubLinkProvider && {
      provider: githubLinkProvider,
      directory: auth.directory,
      publicUrl: config.auth.publicUrl,
      log,
    },
    auth,
    secrets,
    github,
    githubWebhook: webhooks?.receiver,
    usage: models.ledger,
    sse: { keepAliveMs: options.sseKeepAliveMs ?? 15_000, maxQueued: 50_000 },
    maxBodyBytes: 1024 * 1024,
    web: webAppHandler(options.webRoot ?? path.resolve(here, '..', '..', 'web', 'dist')),
  });

  const gate = sandboxRunner
    ? new SandboxGate(
        (remote, local) => sandboxRunner.isSandboxPeer(remote, local),
        (request) =>
          log.warn(request, 'refused a request from inside a sandbox: sandboxes may not use the API'),
      )
    : null;
  const git = createGitHttpHandler(
    sandboxGitGrants({
      sessionForGitPassword: (password) => sandboxRunner?.sessionForGitPassword(password),
      mirrors: new OriginMirrors(path.join(config.dataDir, 'mirrors'), github?.originCredentials),
      session: (id) => store.sessions.get(id),
    }),
  );
  const doorOf = (req: IncomingMessage) => doors.sessionOf(req);
  const server = createServer(
    frontDoor({ gate, doorOf, git, modelProxy: models.proxy, app: getRequestListener(app.fetch), log }),
  );
  doors.attach(server);
  const upgrades = new UpgradeRoutes({
    doorOf,
    sessionOfPeer: (peer) => (peer instanceof LiveSandbox ? peer.options.sessionId : undefined),
    gate,
    bridgePeer: sandboxRunner && ((hash) => sandboxRunner.peerFor(hash)),
    sessionExists: async (id) => (await registry.get(id)) !== undefined,
    authenticate: (req) =>
      auth.authenticator.principalFor(
        {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          authorization: req.headers.authorization,
          cookie: req.headers.cookie,
          origin: req.headers.origin,
          secFetchSite: headerValue(req.headers['sec-fetch-site']),
        },
        { upgrade: true },
      ),
    acceptSession: (ws, id, after, socket, principal) => sockets.accept(ws, id, after, socket, principal),
    log,
  });
  server.on('upgrade', upgrades.handle);

  await listen(server, config.host, config.port);
  guardServer(server, log);
  const port = (server.address() as AddressInfo).port;
  url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const adopted = (await sandboxRunner?.adoptSurvivors()) ?? 0;
  const recovered = await registry.recoverAll();
  // Deliveries accepted before a crash, carried out now that sessions are back.
  const deliveries = (await webhooks?.resume()) ?? 0;
  if (deliveries > 0) log.info({ deliveries }, 'resuming GitHub webhook deliveries');
  log.info({ url, dataDir: config.dataDir, recovered, adopted }, 'nightshift is up');
  if (config.auth.mode === 'none' && !isLoopbackHost(config.host)) {
    // Said on every start, so a deployment open to its network is never one nobody remembers choosing.
    log.warn(
      { host: config.host },
      'insecure: no sign-in (--insecure-no-auth), and the server listens beyond loopback',
    );
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      server.close();
      doors.closeAll();
      sockets.closeAll(CLOSE_SHUTDOWN, 'server shutting down');
      server.closeAllConnections();
      // What GitHub was told is accepted is carried out before the sessions close.
      await webhooks?.drain();
      await registry.flushAll();
      await registry.close();
      if (sandboxRunner) await sandboxRunner.close({ killSandboxes: options.killSandboxesOnClose ?? false });
      else await runner.close?.();
      upgrades.terminateBridges();
      models.relays.stop();
      await store.close();
      upgrades.close();
    })());

  return { url, port, config, store, registry, log, auth, close };
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

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
