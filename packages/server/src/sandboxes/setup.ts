import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from '../config.js';
import type { Logger } from '../log.js';
import type { SessionRecord, Store } from '../store/store.js';
import type { AgentRunner } from '../sessions/agent-runner.js';
import { UnavailableRunner } from '../sessions/unavailable-runner.js';
import { LocalProvider, bubblewrapWorks } from './local/local-provider.js';
import { SandboxRunner } from './sandbox-runner.js';
import { BRIDGE_PATH } from './bridge-endpoint.js';
import { isLocalRepo, localGitDir } from '../scm/local-repo.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root of this Nightshift install. */
export const INSTALL_DIR = path.resolve(here, '..', '..', '..', '..');

/** Model settings and provider keys reach the sandbox (and nothing else of the server's env). */
const PASSED_THROUGH =
  /^(NIGHTSHIFT_MODEL|NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL|NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY|[A-Z0-9_]+_API_KEY|[A-Z0-9_]+_BASE_URL)$/;

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
): SandboxSetup {
  const bwrap = bubblewrapWorks();
  if (!bwrap.ok && !config.sandbox.unisolated) {
    const reason = `${bwrap.reason}. Prompts cannot run until it is fixed — or start the server with NIGHTSHIFT_ALLOW_UNISOLATED=1 to run agents without isolation.`;
    log.error(reason);
    return { runner: new UnavailableRunner(reason), sandboxRunner: null, unavailable: reason };
  }
  const unisolated = !bwrap.ok;
  if (unisolated)
    log.warn('bubblewrap is unavailable: agents will run WITHOUT isolation (NIGHTSHIFT_ALLOW_UNISOLATED)');
  const provider = new LocalProvider({
    dataDir: config.dataDir,
    installDir: INSTALL_DIR,
    // Compiled (scripts/build.mjs): plain Node starts in half the time a TypeScript loader takes.
    command: [process.execPath, path.join(INSTALL_DIR, 'packages/sandbox/dist/main.js')],
    unisolated,
    limits: { memoryBytes: config.sandbox.memoryBytes, cpus: config.sandbox.cpus, pids: config.sandbox.pids },
    uidBase: config.sandbox.uidBase,
    log,
  });
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
    sandboxEnv: async (session, sandboxId, token) =>
      sandboxEnv(config, session, sandboxId, token, serverUrl()),
  });
  return { runner, sandboxRunner: runner, unavailable: null };
}

async function sandboxEnv(
  config: ServerConfig,
  session: SessionRecord,
  sandboxId: string,
  token: string,
  serverUrl: string,
): Promise<Record<string, string>> {
  const loopback = loopbackUrl(serverUrl);
  const env: Record<string, string> = {
    NIGHTSHIFT_BRIDGE_URL: `${loopback.replace(/^http/, 'ws')}${BRIDGE_PATH}`,
    NIGHTSHIFT_SANDBOX_TOKEN: token,
    NIGHTSHIFT_SANDBOX_ID: sandboxId,
    NIGHTSHIFT_SESSION_ID: session.id,
    NIGHTSHIFT_BASE_BRANCH: session.baseBranch,
    NIGHTSHIFT_BRANCH: session.branch,
    NIGHTSHIFT_BOT_NAME: config.sandbox.bot.name,
    NIGHTSHIFT_BOT_EMAIL: config.sandbox.bot.email,
    NIGHTSHIFT_HEARTBEAT_SECONDS: String(heartbeatSeconds(config.sandbox.heartbeatStaleMs)),
  };
  if (isLocalRepo(session.repo)) {
    // The sandbox cannot see the host's filesystem: it reaches a local repository through the
    // control plane's git endpoint, with its own token, and may push only its session branch.
    await localGitDir(session.repo);
    env.NIGHTSHIFT_REPO_URL = `${loopback}/git/${session.id}.git`;
    env.NIGHTSHIFT_GIT_USERNAME = 'sandbox';
    env.NIGHTSHIFT_GIT_PASSWORD = token;
  } else {
    env.NIGHTSHIFT_REPO_URL = session.repo;
  }
  if (config.model) env.NIGHTSHIFT_MODEL = config.model;
  if (config.openaiCompatible) {
    env.NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL = config.openaiCompatible.baseUrl;
    if (config.openaiCompatible.apiKey)
      env.NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY = config.openaiCompatible.apiKey;
  }
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && PASSED_THROUGH.test(key) && !(key in env)) env[key] = value;
  }
  return env;
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
