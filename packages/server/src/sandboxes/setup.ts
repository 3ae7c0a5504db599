import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import {
  createSecretMasker,
  encodeSandboxEnv,
  encodeSecretMap,
  type SandboxEnvInput,
} from '@nightshift/protocol';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { SessionRecord, Store } from '../store/store.js';
import type { AgentRunner } from '../sessions/agent-runner.js';
import { UnavailableRunner } from '../sessions/unavailable-runner.js';
import { INSTALL_DIR } from '../host/install-dir.js';
import { probeBubblewrapSandbox, type CommandRun } from '../host/probes.js';
import { LocalProvider, type LocalProviderOptions } from './local/local-provider.js';
import { doorEnv } from './local/network.js';
import { SandboxRunner } from './sandbox-runner.js';
import { BRIDGE_PATH, hashToken } from './bridge-endpoint.js';
import { gitPasswordFor } from '../scm/git-auth.js';
import { isLocalRepo, localGitDir } from '../scm/local-repo.js';
import { modelCredentialFor } from '../models/credential.js';
import { OPENAI_COMPATIBLE, type Upstream } from '../models/providers.js';
import { MODEL_PROXY_PREFIX } from '../models/proxy.js';
import { encodeRelaySettings, RELAY_SETTINGS_VARIABLE } from '../models/relay-settings.js';
import type { SecretsService } from '../secrets/secret-service.js';

export interface SandboxSetup {
  runner: AgentRunner;
  sandboxRunner: SandboxRunner | null;
  /** Why sandboxes cannot run here, when they cannot. */
  unavailable: string | null;
}

export function createSandboxRunner(
  config: ServerConfig,
  store: Store,
  log: Logger,
  serverUrl: () => string,
  /** The control plane's per-sandbox sockets (`http/sandbox-door.ts`): with them, sandboxes get their own network. */
  door?: LocalProviderOptions['door'],
  /** Where a session's secrets come from; none without it. */
  secrets?: Pick<SecretsService, 'valuesForRepository'>,
  /** The providers the model proxy serves (`models/providers.ts`); sandboxes reach only those. */
  modelUpstreams: ReadonlyMap<string, Upstream> = new Map(),
): SandboxSetup {
  const bwrap = probeBubblewrapSandbox();
  if (!bwrap.ok && !config.sandbox.unisolated) {
    const reason = `${whyNoBubblewrap(bwrap)}. Prompts cannot run until it is fixed — or start the server with NIGHTSHIFT_ALLOW_UNISOLATED=1 to run agents without isolation.`;
    log.error(reason);
    return { runner: new UnavailableRunner(reason), sandboxRunner: null, unavailable: reason };
  }
  const unisolated = !bwrap.ok;
  const network = sandboxNetworkAvailable();
  if (!unisolated && !network.ok)
    log.warn(
      `sandboxes share the host's network (${network.reason}); the control plane's TCP gate keeps them to their bridge and git`,
    );
  if (unisolated)
    log.warn('bubblewrap is unavailable: agents will run WITHOUT isolation (NIGHTSHIFT_ALLOW_UNISOLATED)');
  const provider = new LocalProvider({
    dataDir: config.dataDir,
    installDir: INSTALL_DIR,
    // Compiled (scripts/build.mjs): plain Node starts in half the time a TypeScript loader takes.
    command: [process.execPath, path.join(INSTALL_DIR, 'packages/sandbox/dist/main.js')],
    unisolated,
    limits: {
      memoryBytes: config.sandbox.memoryBytes,
      cpus: config.sandbox.cpus,
      pids: config.sandbox.pids,
      tmpBytes: config.sandbox.tmpBytes,
      workspaceBytes: config.sandbox.workspaceBytes,
    },
    uidBase: config.sandbox.uidBase,
    log,
    // Model traffic goes through the control plane's proxy: no forwarder to a loopback model.
    ...(door && !unisolated && network.ok ? { door } : {}),
  });
  const ownNetwork = Boolean(door) && !unisolated && network.ok;
  const runner = new SandboxRunner({
    provider,
    store,
    log,
    heartbeatStaleMs: config.sandbox.heartbeatStaleMs,
    idleMs: config.sandbox.idleMs,
    startTimeoutMs: config.sandbox.startTimeoutMs,
    startNotice: unisolated
      ? 'WARNING: this sandbox runs without isolation (bubblewrap is unavailable and NIGHTSHIFT_ALLOW_UNISOLATED is set): the agent can read and write anything the server can.'
      : undefined,
    ...(secrets
      ? {
          secretMasker: async (session: SessionRecord) => {
            const values = await secrets.valuesForRepository(session.repo);
            return createSecretMasker({ ...values.setup, ...values.agent });
          },
        }
      : {}),
    sandboxEnv: async (session, sandboxId, token) => ({
      ...(await sandboxEnv(config, session, sandboxId, token, serverUrl(), ownNetwork, modelUpstreams)),
      ...(secrets ? await secretsEnv(secrets, session.repo) : {}),
    }),
  });
  return { runner, sandboxRunner: runner, unavailable: null };
}

async function sandboxEnv(
  config: ServerConfig,
  session: SessionRecord,
  sandboxId: string,
  token: string,
  serverUrl: string,
  ownNetwork: boolean,
  modelUpstreams: ReadonlyMap<string, Upstream>,
): Promise<Record<string, string>> {
  // With its own network a sandbox reaches the control plane only through its door, and the
  // host's loopback not at all.
  const door = ownNetwork ? doorEnv(BRIDGE_PATH) : null;
  const loopback = door ? door.controlOrigin : loopbackUrl(serverUrl);
  // Models only through the proxy, with a credential that is no provider's key: no key and no
  // provider endpoint enters the sandbox. With its own network, the sandbox's proxy is its relay
  // (host side, outliving the control plane: a reply streams on through a restart).
  const modelProxyUrl = `${door ? door.modelProxyOrigin : loopback}${MODEL_PROXY_PREFIX.replace(/\/$/, '')}`;
  const modelCredential = modelCredentialFor(hashToken(token));
  const relay: Record<string, string> =
    door && modelUpstreams.size > 0
      ? {
          [RELAY_SETTINGS_VARIABLE]: encodeRelaySettings({
            sessionId: session.id,
            credential: modelCredential,
            upstreams: new Map(modelUpstreams),
          }),
        }
      : {};
  // Every origin, local or remote, is reached through the control plane's git endpoint, which
  // pushes only the session branch and holds the origin's credentials: none enter the sandbox.
  if (isLocalRepo(session.repo)) await localGitDir(session.repo);
  const origin: Pick<SandboxEnvInput, 'repoUrl' | 'gitUsername' | 'gitPassword'> = {
    repoUrl: `${loopback}/git/${session.id}.git`,
    gitUsername: 'sandbox',
    gitPassword: gitPasswordFor(hashToken(token)),
  };
  const contract = encodeSandboxEnv({
    bridgeUrl: door ? door.bridgeUrl : `${loopback.replace(/^http/, 'ws')}${BRIDGE_PATH}`,
    ...(door ? { controlSocket: door.controlSocket, controlForwardPort: door.controlForwardPort } : {}),
    ...(door && modelUpstreams.size > 0
      ? { modelSocket: door.modelSocket, modelForwardPort: door.modelForwardPort }
      : {}),
    sandboxToken: token,
    sandboxId,
    sessionId: session.id,
    ...origin,
    baseBranch: session.baseBranch,
    branch: session.branch,
    botName: config.sandbox.bot.name,
    botEmail: config.sandbox.bot.email,
    heartbeatSeconds: heartbeatSeconds(config.sandbox.heartbeatStaleMs),
    model: config.model || undefined,
    ...(modelUpstreams.has(OPENAI_COMPATIBLE)
      ? {
          openaiCompatibleBaseUrl: `${modelProxyUrl}/${OPENAI_COMPATIBLE}`,
          openaiCompatibleApiKey: modelCredential,
        }
      : {}),
    ...(modelUpstreams.size > 0
      ? { modelProxyUrl, modelProxyProviders: [...modelUpstreams.keys()].join(','), modelCredential }
      : {}),
  });
  return { ...contract, ...relay };
}

/** A session's secret values, as the contract's secret variables (they travel on stdin). */
async function secretsEnv(
  secrets: Pick<SecretsService, 'valuesForRepository'>,
  repo: string,
): Promise<Record<string, string>> {
  const values = await secrets.valuesForRepository(repo);
  return encodeSandboxEnv({
    agentSecrets: encodeSecretMap(values.agent),
    setupSecrets: encodeSecretMap(values.setup),
  });
}

/** slirp4netns, without root, opens /dev/net/tun as the server's user: some hosts keep it root's. */
function sandboxNetworkAvailable(): { ok: true } | { ok: false; reason: string } {
  if (!probeCommand('slirp4netns')) return { ok: false, reason: 'slirp4netns is not installed' };
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    return { ok: true };
  } catch {
    return { ok: false, reason: '/dev/net/tun cannot be opened by this user' };
  }
}

function probeCommand(file: string): boolean {
  try {
    execFileSync(file, ['--version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function whyNoBubblewrap(run: CommandRun): string {
  if (run.notFound) return 'bubblewrap (bwrap) is not installed: apt-get install -y bubblewrap';
  return `bubblewrap cannot create a sandbox here: ${run.output}`;
}

/**
 * How often the sandbox says it is alive: several times per stale timeout, so one late heartbeat
 * on a busy host is not taken for a dead sandbox. Five seconds at most (the supervisor's default).
 */
export function heartbeatSeconds(staleMs: number): number {
  return Math.min(5, Math.max(0.2, Math.round(staleMs / 4 / 100) / 10));
}

/** The server as a sandbox on this machine reaches it (a wildcard bind is reached on loopback). */
function loopbackUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]' || u.hostname === '::') u.hostname = '127.0.0.1';
  return u.origin;
}
