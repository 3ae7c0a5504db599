/**
 * The supervisor's configuration, from the sandbox's environment contract
 * (`decodeSandboxEnv` in @nightshift/protocol, which names every problem): durations in
 * milliseconds, the origin with its credentials apart, the model settings OpenCode is given.
 */
import { decodeSandboxEnv, decodeSecretMap, type Author } from '@nightshift/protocol';
import { parseRemote, type GitRemote } from '../git/remote.js';
import { modelSettings, type ModelSettings } from '../opencode/config.js';

export interface SupervisorConfig {
  bridge: { url: string; token: string };
  sandboxId: string;
  sessionId: string | null;
  remote: GitRemote;
  /** Where git's loopback port leads, when the control plane is reached through a Unix socket. */
  controlForward: { port: number; socketPath: string } | null;
  /** Where the model proxy's loopback port leads: the sandbox's model relay, on a Unix socket. */
  modelForward: { port: number; socketPath: string } | null;
  baseBranch: string;
  branch: string;
  workspace: string;
  stateDir: string;
  bot: Author;
  setupTimeoutMs: number;
  startScriptTimeoutMs: number;
  heartbeatMs: number;
  /**
   * With no control plane for this long and no prompt running, the sandbox shuts itself down:
   * a server that was stopped for good (or whose data dir is gone) must not leave it running.
   */
  orphanTimeoutMs: number;
  models: ModelSettings;
  /** The session's secrets by scope: `setup` ones reach the scripts only, `agent` ones the agent too. */
  secrets: { agent: Record<string, string>; setup: Record<string, string> };
}

/** Throws `SandboxEnvError` (every problem at once) for an environment the sandbox cannot use. */
export function parseSupervisorEnv(env: Record<string, string | undefined>): SupervisorConfig {
  const vars = decodeSandboxEnv(env);
  return {
    bridge: { url: vars.bridgeUrl, token: vars.sandboxToken },
    sandboxId: vars.sandboxId,
    sessionId: vars.sessionId ?? null,
    remote: parseRemote(vars.repoUrl, { username: vars.gitUsername, password: vars.gitPassword }),
    controlForward:
      vars.controlSocket && vars.controlForwardPort
        ? { port: vars.controlForwardPort, socketPath: vars.controlSocket }
        : null,
    modelForward:
      vars.modelSocket && vars.modelForwardPort
        ? { port: vars.modelForwardPort, socketPath: vars.modelSocket }
        : null,
    baseBranch: vars.baseBranch,
    branch: vars.branch,
    workspace: vars.workspace,
    stateDir: vars.stateDir,
    bot: { name: vars.botName, email: vars.botEmail },
    setupTimeoutMs: milliseconds(vars.setupTimeoutSeconds),
    startScriptTimeoutMs: milliseconds(vars.startScriptTimeoutSeconds),
    heartbeatMs: milliseconds(vars.heartbeatSeconds),
    orphanTimeoutMs: milliseconds(vars.orphanTimeoutSeconds),
    models: modelSettings(vars),
    secrets: {
      agent: (vars.agentSecrets && decodeSecretMap(vars.agentSecrets)) || {},
      setup: (vars.setupSecrets && decodeSecretMap(vars.setupSecrets)) || {},
    },
  };
}

/** The secrets in a config: never to be shown in events, errors or logs. */
export function configSecrets(config: SupervisorConfig): string[] {
  const secrets = [config.bridge.token, config.remote.credentials?.password ?? ''];
  if (config.models.openaiCompatible?.apiKey) secrets.push(config.models.openaiCompatible.apiKey);
  secrets.push(...Object.values(config.models.providerKeys ?? {}));
  if (config.models.proxy) secrets.push(config.models.proxy.credential);
  return secrets.filter((s) => s.length >= 4);
}

/** The session's secrets of both scopes, by name: what is masked wherever it would show. */
export function allSecrets(config: SupervisorConfig): Record<string, string> {
  return { ...config.secrets.setup, ...config.secrets.agent };
}

function milliseconds(seconds: number): number {
  return Math.round(seconds * 1000);
}
