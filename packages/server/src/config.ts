import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BOT } from '@nightshift/protocol';

/** Everything `nightshift up` can be told, from flags or the environment. */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Default `provider/model`; null means prompts fail fast saying what to set. */
  model: string | null;
  openaiCompatible: { baseUrl: string; apiKey: string | null } | null;
  logLevel: string;
  /** How long an actor with nothing to do stays in memory. */
  actorIdleMs: number;
  sandbox: SandboxConfig;
}

export interface SandboxConfig {
  /** Run agents without bubblewrap. Only when the operator explicitly asks: no isolation then. */
  unisolated: boolean;
  /** The identity that commits on behalf of prompt authors. */
  bot: { name: string; email: string };
  idleMs: number;
  heartbeatStaleMs: number;
  startTimeoutMs: number;
  memoryBytes: number;
  cpus: number;
  pids: number;
  /** The size cap of a sandbox's RAM-backed /tmp. */
  tmpBytes: number;
  /** A workspace's disk quota (as root; see sandboxes/local/workspace-quota.ts). */
  workspaceBytes: number;
  uidBase: number;
}

export type ServerOptions = Partial<Omit<ServerConfig, 'sandbox'>> & { sandbox?: Partial<SandboxConfig> };

export const DEFAULT_PORT = 7070;
export const DEFAULT_HOST = '127.0.0.1';

/** Flags win over the environment, the environment over defaults. */
export function resolveConfig(
  options: ServerOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ServerConfig {
  const port =
    options.port ?? (env.NIGHTSHIFT_PORT !== undefined ? parsePort(env.NIGHTSHIFT_PORT) : DEFAULT_PORT);
  const baseUrl = options.openaiCompatible?.baseUrl ?? env.NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL;
  return {
    host: options.host ?? env.NIGHTSHIFT_HOST ?? DEFAULT_HOST,
    port,
    dataDir: resolveDataDir(options.dataDir, env),
    model: options.model !== undefined ? options.model : env.NIGHTSHIFT_MODEL?.trim() || null,
    openaiCompatible: baseUrl
      ? {
          baseUrl,
          apiKey: options.openaiCompatible?.apiKey ?? env.NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY ?? null,
        }
      : null,
    logLevel: options.logLevel ?? env.NIGHTSHIFT_LOG_LEVEL ?? 'info',
    actorIdleMs: options.actorIdleMs ?? 60_000,
    sandbox: {
      unisolated: options.sandbox?.unisolated ?? isTrue(env.NIGHTSHIFT_ALLOW_UNISOLATED),
      bot: {
        name: options.sandbox?.bot?.name ?? env.NIGHTSHIFT_BOT_NAME ?? DEFAULT_BOT.name,
        email: options.sandbox?.bot?.email ?? env.NIGHTSHIFT_BOT_EMAIL ?? DEFAULT_BOT.email,
      },
      idleMs: options.sandbox?.idleMs ?? seconds(env.NIGHTSHIFT_SANDBOX_IDLE_SECONDS, 600),
      heartbeatStaleMs: options.sandbox?.heartbeatStaleMs ?? 30_000,
      startTimeoutMs:
        options.sandbox?.startTimeoutMs ?? seconds(env.NIGHTSHIFT_SANDBOX_START_TIMEOUT_SECONDS, 900),
      memoryBytes: options.sandbox?.memoryBytes ?? 4 * 1024 ** 3,
      cpus: options.sandbox?.cpus ?? 2,
      pids: options.sandbox?.pids ?? 4096,
      tmpBytes: options.sandbox?.tmpBytes ?? 1024 ** 3,
      workspaceBytes: options.sandbox?.workspaceBytes ?? 20 * 1024 ** 3,
      uidBase: options.sandbox?.uidBase ?? 200_000,
    },
  };
}

/** The data dir: the flag, else NIGHTSHIFT_DATA_DIR, else the default for this user; `~` expanded. */
export function resolveDataDir(
  flagValue: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): string {
  return path.resolve(expandHome(flagValue ?? env.NIGHTSHIFT_DATA_DIR ?? defaultDataDir(uid)));
}

/**
 * Root's home is private (0700) and sandboxes run as other users, who could not reach their
 * workspaces under ~/.nightshift; root gets the system location instead.
 */
export function defaultDataDir(uid: number | undefined = process.getuid?.()): string {
  return uid === 0 ? '/var/lib/nightshift' : '~/.nightshift';
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}

/**
 * A setting's value: `NAME` from the environment, else the trimmed contents of the file `NAME_FILE`
 * names (so keys and secrets can come from mounted files rather than the environment).
 */
export function readSetting(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  if (file === undefined || file === '') return undefined;
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(
      `${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return (value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback) * 1000;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** A configuration the server cannot start with; its message is the one line the user sees. */
export class ConfigError extends Error {}
