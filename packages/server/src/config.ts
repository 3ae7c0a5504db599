import os from 'node:os';
import path from 'node:path';

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
}

export type ServerOptions = Partial<ServerConfig>;

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
    dataDir: path.resolve(expandHome(options.dataDir ?? env.NIGHTSHIFT_DATA_DIR ?? '~/.nightshift')),
    model: options.model !== undefined ? options.model : env.NIGHTSHIFT_MODEL?.trim() || null,
    openaiCompatible: baseUrl
      ? {
          baseUrl,
          apiKey: options.openaiCompatible?.apiKey ?? env.NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY ?? null,
        }
      : null,
    logLevel: options.logLevel ?? env.NIGHTSHIFT_LOG_LEVEL ?? 'info',
    actorIdleMs: options.actorIdleMs ?? 60_000,
  };
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`port must be a whole number from 0 to 65535, not "${value}"`);
  }
  return port;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** A configuration the server cannot start with; its message is the one line the user sees. */
export class ConfigError extends Error {}
