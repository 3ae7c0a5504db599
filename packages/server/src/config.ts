import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BOT } from '@nightshift/protocol';
import { BUILT_IN_PRICES, parsePriceTable, type PriceTable } from './models/prices.js';

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
  auth: AuthConfig;
  secrets: SecretsConfig;
  models: ModelsConfig;
  /** The GitHub App (`github/`); null when none is configured. Its URLs are `auth.github`'s. */
  github: GitHubAppConfig | null;
}

/** NIGHTSHIFT_GITHUB_APP_ID, _APP_PRIVATE_KEY and _WEBHOOK_SECRET: all three, or none. */
export interface GitHubAppConfig {
  appId: number;
  /** PEM; it never leaves the control plane. */
  privateKey: string;
  webhookSecret: string;
}

/** The model proxy's accounting (`models/`). */
export interface ModelsConfig {
  /** NIGHTSHIFT_BUDGET_USD_PER_DAY: per person per UTC day; null means no budget. */
  budgetUsdPerDay: number | null;
  /** The built-in prices, with NIGHTSHIFT_MODEL_PRICES over them. */
  prices: PriceTable;
}

/** Secrets at rest (`secrets/`). */
export interface SecretsConfig {
  /** NIGHTSHIFT_SECRET_KEY; null means the key generated into the data dir (`secret.key`). */
  key: Buffer | null;
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

export type ServerOptions = Partial<Omit<ServerConfig, 'sandbox' | 'auth'>> & {
  sandbox?: Partial<SandboxConfig>;
  /** Team mode; a field given here wins over its environment setting (`insecureNoAuth`: the flag). */
  auth?: Partial<AuthConfig>;
};

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
  const host = options.host ?? env.NIGHTSHIFT_HOST ?? DEFAULT_HOST;
  return {
    host,
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
    auth: resolveAuthConfig(options.auth ?? {}, env, host),
    secrets: options.secrets ?? { key: parseSecretKeySetting(readSetting(env, 'NIGHTSHIFT_SECRET_KEY')) },
    models: { ...resolveModelsConfig(env), ...options.models },
    github: options.github !== undefined ? options.github : resolveGitHubAppConfig(env),
  };
}

const GITHUB_APP_SETTINGS = [
  'NIGHTSHIFT_GITHUB_APP_ID',
  'NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY',
  'NIGHTSHIFT_GITHUB_WEBHOOK_SECRET',
] as const;

export function resolveGitHubAppConfig(env: NodeJS.ProcessEnv): GitHubAppConfig | null {
  const [appIdText, privateKey, webhookSecret] = GITHUB_APP_SETTINGS.map((name) =>
    readSetting(env, name)?.trim(),
  );
  const missing = GITHUB_APP_SETTINGS.filter((_, i) => ![appIdText, privateKey, webhookSecret][i]);
  if (missing.length === GITHUB_APP_SETTINGS.length) return null;
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing[0]}: a GitHub App needs NIGHTSHIFT_GITHUB_APP_ID, _APP_PRIVATE_KEY and _WEBHOOK_SECRET together; missing ${missing.join(', ')}`,
    );
  }
  const appId = Number(appIdText);
  if (!/^\d+$/.test(appIdText!) || !Number.isSafeInteger(appId) || appId <= 0) {
    throw new ConfigError(`NIGHTSHIFT_GITHUB_APP_ID: must be the App's numeric id, not "${appIdText}"`);
  }
  return { appId, privateKey: parsePrivateKey(privateKey!), webhookSecret: webhookSecret! };
}

/** Environment files often carry the PEM's newlines as `\n`; a key that is not a private key fails here, not at the first token. */
function parsePrivateKey(text: string): string {
  const pem = text.includes('\\n') && !text.includes('\n') ? text.replace(/\\n/g, '\n') : text;
  try {
    const key = crypto.createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
  } catch {
    throw new ConfigError(
      'NIGHTSHIFT_GITHUB_APP_PRIVATE_KEY: is not an RSA private key in PEM (the .pem file GitHub gave for the App)',
    );
  }
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

export type AuthMode = 'none' | 'oidc' | 'github';

/** Team mode: who may sign in, how, and what they may use. Lists are lowercased, without blanks. */
export interface AuthConfig {
  mode: AuthMode;
  /** Where people reach the server; null means the listen URL (allowed only on loopback). */
  publicUrl: string | null;
  /** Set when mode is `oidc`. */
  oidc: { issuer: string; clientId: string; clientSecret: string | null } | null;
  /** The client id and secret are set when mode is `github`; the URLs always (GitHub Enterprise). */
  github: { clientId: string | null; clientSecret: string | null; apiUrl: string; webUrl: string };
  allow: { emails: string[]; domains: string[]; githubOrgs: string[] };
  admins: string[];
  /** Repositories sessions may use in team mode: exact, or a prefix before a trailing `*`. */
  allowedRepos: string[];
  /** Listen beyond loopback without auth, because the operator said so (`--insecure-no-auth`). */
  insecureNoAuth: boolean;
}

const AUTH_MODES: readonly AuthMode[] = ['none', 'oidc', 'github'];

/** Validates the combination too: a deployment that would let nobody in, or anybody, never starts. */
export function resolveAuthConfig(
  options: Partial<AuthConfig>,
  env: NodeJS.ProcessEnv,
  host: string,
): AuthConfig {
  const mode = options.mode ?? parseAuthMode(readSetting(env, 'NIGHTSHIFT_AUTH'));
  const insecureNoAuth = options.insecureNoAuth ?? isTrue(env.NIGHTSHIFT_INSECURE_NO_AUTH);
  const publicUrl = options.publicUrl ?? parsePublicUrl(readSetting(env, 'NIGHTSHIFT_PUBLIC_URL'));
  const list = (name: string) => parseList(readSetting(env, name));
  const auth: AuthConfig = {
    mode,
    publicUrl,
    oidc: options.oidc !== undefined ? options.oidc : mode === 'oidc' ? oidcSettings(env) : null,
    github: options.github ?? {
      clientId: readSetting(env, 'NIGHTSHIFT_GITHUB_CLIENT_ID') || null,
      clientSecret: readSetting(env, 'NIGHTSHIFT_GITHUB_CLIENT_SECRET') || null,
      apiUrl: readSetting(env, 'NIGHTSHIFT_GITHUB_API_URL') || 'https://api.github.com',
      webUrl: readSetting(env, 'NIGHTSHIFT_GITHUB_URL') || 'https://github.com',
    },
    allow: options.allow ?? {
      emails: list('NIGHTSHIFT_ALLOWED_EMAILS'),
      domains: list('NIGHTSHIFT_ALLOWED_DOMAINS'),
      githubOrgs: list('NIGHTSHIFT_ALLOWED_GITHUB_ORGS'),
    },
    admins: options.admins ?? list('NIGHTSHIFT_ADMINS'),
    // Paths and URLs keep their case: a path on disk is case-sensitive.
    allowedRepos:
      options.allowedRepos ?? parseList(readSetting(env, 'NIGHTSHIFT_ALLOWED_REPOS'), { keepCase: true }),
    insecureNoAuth,
  };
  checkAuthCombination(auth, host);
  return auth;
}

function checkAuthCombination(auth: AuthConfig, host: string): void {
  if (auth.mode === 'none') {
    if (!isLoopbackHost(host) && !auth.insecureNoAuth) {
      throw new ConfigError(
        `NIGHTSHIFT_AUTH: is none, and ${host} is not a loopback address: anyone who can reach it could run agents; set NIGHTSHIFT_AUTH=oidc or github, or pass --insecure-no-auth`,
      );
    }
    return;
  }
  if (auth.mode === 'oidc') {
    const oidc = auth.oidc;
    if (!oidc?.issuer) throw new ConfigError('NIGHTSHIFT_OIDC_ISSUER: must be set when NIGHTSHIFT_AUTH=oidc');
    if (!oidc.clientId)
      throw new ConfigError('NIGHTSHIFT_OIDC_CLIENT_ID: must be set when NIGHTSHIFT_AUTH=oidc');
    let issuer: URL;
    try {
      issuer = new URL(oidc.issuer);
    } catch {
      throw new ConfigError(`NIGHTSHIFT_OIDC_ISSUER: "${oidc.issuer}" is not a URL`);
    }
    if (issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname)) {
      throw new ConfigError('NIGHTSHIFT_OIDC_ISSUER: must be https:// (http:// only on a loopback address)');
    }
    if (issuer.protocol !== 'http:' && issuer.protocol !== 'https:') {
      throw new ConfigError('NIGHTSHIFT_OIDC_ISSUER: must be an https:// URL');
    }
  }
  if (auth.mode === 'oidc' && !auth.github.clientId !== !auth.github.clientSecret) {
    // Both or neither: with both, people signed in with OIDC may link their GitHub account.
    const [missing, given] = auth.github.clientId
      ? ['NIGHTSHIFT_GITHUB_CLIENT_SECRET', 'NIGHTSHIFT_GITHUB_CLIENT_ID']
      : ['NIGHTSHIFT_GITHUB_CLIENT_ID', 'NIGHTSHIFT_GITHUB_CLIENT_SECRET'];
    throw new ConfigError(
      `${missing}: must be set with ${given} (to link GitHub accounts under OIDC sign-in)`,
    );
  }
  if (auth.mode === 'github') {
    if (!auth.github.clientId) {
      throw new ConfigError('NIGHTSHIFT_GITHUB_CLIENT_ID: must be set when NIGHTSHIFT_AUTH=github');
    }
    if (!auth.github.clientSecret) {
      throw new ConfigError('NIGHTSHIFT_GITHUB_CLIENT_SECRET: must be set when NIGHTSHIFT_AUTH=github');
    }
  }
  const { emails, domains, githubOrgs } = auth.allow;
  if (emails.length + domains.length + githubOrgs.length === 0) {
    throw new ConfigError(
      'NIGHTSHIFT_ALLOWED_EMAILS: with auth on, nobody outside the allow-lists gets in, and all three (NIGHTSHIFT_ALLOWED_EMAILS, _DOMAINS, _GITHUB_ORGS) are empty: nobody could sign in',
    );
  }
  if (auth.publicUrl === null && !isLoopbackHost(host)) {
    throw new ConfigError(
      `NIGHTSHIFT_PUBLIC_URL: must be set when auth is on and the server listens on ${host} (sign-in redirects and cookie checks need the URL people use)`,
    );
  }
}

function oidcSettings(env: NodeJS.ProcessEnv): AuthConfig['oidc'] {
  return {
    issuer: readSetting(env, 'NIGHTSHIFT_OIDC_ISSUER') ?? '',
    clientId: readSetting(env, 'NIGHTSHIFT_OIDC_CLIENT_ID') ?? '',
    clientSecret: readSetting(env, 'NIGHTSHIFT_OIDC_CLIENT_SECRET') || null,
  };
}

function parseAuthMode(value: string | undefined): AuthMode {
  const mode = (value ?? '').trim().toLowerCase() || 'none';
  if (!(AUTH_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`NIGHTSHIFT_AUTH: must be none, oidc or github, not "${value}"`);
  }
  return mode as AuthMode;
}

function parsePublicUrl(value: string | undefined): string | null {
  if (value === undefined || value.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`NIGHTSHIFT_PUBLIC_URL: "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`NIGHTSHIFT_PUBLIC_URL: must be an http:// or https:// URL, not "${value}"`);
  }
  return url.href.replace(/\/$/, '');
}

function parseList(value: string | undefined, { keepCase = false } = {}): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => (keepCase ? item.trim() : item.trim().toLowerCase()))
    .filter((item) => item !== '');
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
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

/** A 32-byte key from its base64 text, or undefined when the text is anything else. */
export function decodeSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) return undefined;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : undefined;
}

function parseSecretKeySetting(value: string | undefined): Buffer | null {
  if (value === undefined || value.trim() === '') return null;
  const key = decodeSecretKey(value);
  if (!key)
    throw new ConfigError(
      'NIGHTSHIFT_SECRET_KEY must be 32 bytes in base64 (44 characters, e.g. from `openssl rand -base64 32`)',
    );
  return key;
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

function resolveModelsConfig(env: NodeJS.ProcessEnv): ModelsConfig {
  const budget = readSetting(env, 'NIGHTSHIFT_BUDGET_USD_PER_DAY')?.trim();
  const budgetUsdPerDay = budget ? Number(budget) : null;
  if (budgetUsdPerDay !== null && (!Number.isFinite(budgetUsdPerDay) || budgetUsdPerDay <= 0))
    throw new ConfigError(`NIGHTSHIFT_BUDGET_USD_PER_DAY: must be a positive number of USD, not "${budget}"`);
  const prices = readSetting(env, 'NIGHTSHIFT_MODEL_PRICES');
  try {
    return { budgetUsdPerDay, prices: { ...BUILT_IN_PRICES, ...(prices ? parsePriceTable(prices) : {}) } };
  } catch (err) {
    throw new ConfigError(`NIGHTSHIFT_MODEL_PRICES: ${(err as Error).message}`);
  }
}
