import { z } from 'zod';
import { ModelName, type Author } from './common.js';

/**
 * The variables of the sandbox's environment contract (`sandbox-env.ts`): each one's name, what
 * it holds and how it is checked, and whether it is a credential. Nothing else spells their
 * names, so a new setting is one entry in `VARIABLES`.
 */

/** Commits the agent makes are committed by this identity unless the operator names another. */
export const DEFAULT_BOT: Author = { name: 'Nightshift', email: 'bot@nightshift.local' };

export interface Variable<S extends z.ZodType> {
  name: string;
  schema: S;
  /** Holds a credential: passed on exactly as given, and never quoted in an error, log or event. */
  secret: boolean;
  /** Safe and useful to quote back (`… (got x)`) when it is wrong. */
  quoted: boolean;
  /** Written as a number (of seconds, or a port) in the environment, which only holds text. */
  numeric: boolean;
}

function variable<S extends z.ZodType>(
  name: string,
  schema: S,
  meaning: string,
  flags: { secret?: boolean; quoted?: boolean; numeric?: boolean } = {},
): Variable<S> {
  return {
    name,
    schema: schema.describe(meaning),
    secret: flags.secret ?? false,
    quoted: flags.quoted ?? false,
    numeric: flags.numeric ?? false,
  };
}

/** The rules of `git check-ref-format --branch`, without running git. */
export function isBranchName(name: string): boolean {
  return (
    // eslint-disable-next-line no-control-regex
    !/[\x00-\x20\x7f~^:?*[\\]/.test(name) &&
    name !== '@' &&
    !name.includes('@{') &&
    !name.startsWith('-') &&
    !name.startsWith('/') &&
    !name.endsWith('/') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock') &&
    !name.includes('..') &&
    !name.includes('//') &&
    !name.split('/').some((part) => part.startsWith('.'))
  );
}

const required = z.string({ error: 'is required' }).min(1, 'is required');
const branch = required.refine(isBranchName, 'is not a valid branch name');
// The sandbox is Linux whatever the control plane runs on: POSIX paths.
const absolutePath = required.refine((p) => p.startsWith('/'), 'must be an absolute path');
const seconds = (name: string, fallback: number, meaning: string) =>
  variable(
    name,
    z
      .number({ error: 'must be a positive number of seconds' })
      .positive('must be a positive number of seconds')
      .default(fallback),
    meaning,
    { quoted: true, numeric: true },
  );

const port = z
  .number({ error: 'must be a port number' })
  .int('must be a port number')
  .min(1, 'must be a port number')
  .max(65535, 'must be a port number');

/** Credentials ride along in an http(s) URL, so a repository URL is never quoted back. */
const repoUrl = required
  .refine(
    (url) => /^(https?|file|ssh|git):\/\//i.test(url) || url.startsWith('/') || /^[^/\s]+@[^:\s]+:/.test(url),
    'must be an http(s)://, file://, ssh:// URL or an absolute path (got something else)',
  )
  .refine((url) => !/^https?:\/\//i.test(url) || parsesAsUrl(url), 'is not a valid URL');

/**
 * Secret values by name, as JSON text (`encodeSecretMap`): one variable per scope, so a scope is
 * one credential of the contract, passed on stdin like the others.
 */
const secretMap = z
  .string()
  .refine((json) => decodeSecretMap(json) !== undefined, 'must be a JSON object of NAME: value strings')
  .optional();

/** The text of a secret map variable (`agentSecrets`, `setupSecrets`). */
export function encodeSecretMap(values: Record<string, string>): string {
  return JSON.stringify(values);
}

/** The values of a secret map variable, or undefined when it is not one. */
export function decodeSecretMap(json: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (!entries.every(([, value]) => typeof value === 'string')) return undefined;
  return Object.fromEntries(entries) as Record<string, string>;
}

function parsesAsUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** Every variable of the contract, by field; problems are listed in this order. */
export const VARIABLES = {
  bridgeUrl: variable(
    'NIGHTSHIFT_BRIDGE_URL',
    required.regex(/^(wss?:\/\/[^/\s]+|ws\+unix:\/[^:\s]+:\/)/i, 'must be a ws:// or wss:// URL'),
    "ws://, wss:// or ws+unix:<socket>:<path> URL of the control plane's bridge endpoint",
    { quoted: true },
  ),
  controlSocket: variable(
    'NIGHTSHIFT_CONTROL_SOCKET',
    absolutePath.optional(),
    'the Unix socket to the control plane handed to a sandbox with its own network: the bridge and git go through it',
    { quoted: true },
  ),
  controlForwardPort: variable(
    'NIGHTSHIFT_CONTROL_FORWARD_PORT',
    port.optional(),
    "the sandbox's own loopback port the supervisor forwards to the control socket, for git (which cannot use a Unix socket)",
    { quoted: true, numeric: true },
  ),
  modelSocket: variable(
    'NIGHTSHIFT_MODEL_SOCKET',
    absolutePath.optional(),
    "the Unix socket to the sandbox's model relay (the model proxy, host side) handed to a sandbox with its own network",
    { quoted: true },
  ),
  modelForwardPort: variable(
    'NIGHTSHIFT_MODEL_FORWARD_PORT',
    port.optional(),
    "the sandbox's own loopback port the supervisor forwards to the model socket; the model proxy URL points there",
    { quoted: true, numeric: true },
  ),
  secretsOnStdin: variable(
    'NIGHTSHIFT_SECRETS_ON_STDIN',
    z.literal('1', { error: 'must be 1 when set' }).optional(),
    "the credentials come on the supervisor's stdin (`encodeSandboxSecrets`), not in its environment",
    { quoted: true },
  ),
  sandboxToken: variable(
    'NIGHTSHIFT_SANDBOX_TOKEN',
    required,
    "the session's sandbox token, sent on the bridge as `Authorization: Bearer …`",
    { secret: true },
  ),
  sandboxId: variable('NIGHTSHIFT_SANDBOX_ID', required, 'this sandbox, as the bridge hello reports it'),
  sessionId: variable('NIGHTSHIFT_SESSION_ID', z.string().optional(), 'the session, for logs only'),
  repoUrl: variable(
    'NIGHTSHIFT_REPO_URL',
    repoUrl,
    'the origin: http(s)://, file://, ssh:// or an absolute path; credentials in an http(s) URL are split off',
  ),
  gitUsername: variable(
    'NIGHTSHIFT_GIT_USERNAME',
    z.string().optional(),
    'user for an http(s) origin (wins over one in the URL)',
  ),
  gitPassword: variable(
    'NIGHTSHIFT_GIT_PASSWORD',
    z.string().optional(),
    'password for an http(s) origin (wins over one in the URL)',
    { secret: true },
  ),
  baseBranch: variable(
    'NIGHTSHIFT_BASE_BRANCH',
    branch,
    'the branch a new session branch starts from; never pushed to',
    { quoted: true },
  ),
  branch: variable('NIGHTSHIFT_BRANCH', branch, 'the session branch; differs from the base branch', {
    quoted: true,
  }),
  workspace: variable(
    'NIGHTSHIFT_WORKSPACE',
    absolutePath,
    'the checkout: empty on a fresh start, or the one an earlier sandbox of the session left',
    { quoted: true },
  ),
  stateDir: variable('NIGHTSHIFT_STATE_DIR', absolutePath, "private state: OpenCode's home and XDG dirs", {
    quoted: true,
  }),
  botEmail: variable(
    'NIGHTSHIFT_BOT_EMAIL',
    z
      .string()
      .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address')
      .default(DEFAULT_BOT.email),
    'committer email on the commits made for prompt authors',
    { quoted: true },
  ),
  botName: variable(
    'NIGHTSHIFT_BOT_NAME',
    z
      .string()
      .refine((name) => !/[<>\n]/.test(name), 'must not contain <, > or line breaks')
      .default(DEFAULT_BOT.name),
    'committer name on the commits made for prompt authors',
  ),
  model: variable('NIGHTSHIFT_MODEL', ModelName.optional(), 'the default model, provider/model', {
    quoted: true,
  }),
  openaiCompatibleBaseUrl: variable(
    'NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL',
    z
      .string()
      .regex(/^https?:\/\/\S+$/i, 'must be an http(s):// URL')
      .optional(),
    'registers the provider openai-compatible at this endpoint; its models are discovered there',
  ),
  openaiCompatibleApiKey: variable(
    'NIGHTSHIFT_OPENAI_COMPATIBLE_API_KEY',
    z.string().optional(),
    'the key for the OpenAI-compatible endpoint',
    { secret: true },
  ),
  agentSecrets: variable(
    'NIGHTSHIFT_AGENT_SECRETS',
    secretMap,
    "the agent-scope secrets: reach setup.sh/start.sh while they run and each of the agent's commands",
    { secret: true },
  ),
  setupSecrets: variable(
    'NIGHTSHIFT_SETUP_SECRETS',
    secretMap,
    'the setup-scope secrets: reach setup.sh/start.sh while they run, never the agent',
    { secret: true },
  ),
  modelProxyUrl: variable(
    'NIGHTSHIFT_MODEL_PROXY_URL',
    z
      .string()
      .regex(/^https?:\/\/\S+$/i, 'must be an http(s):// URL')
      .optional(),
    "the control plane's model proxy as the sandbox reaches it; each provider's base URL is <this>/<provider>",
    { quoted: true },
  ),
  modelProxyProviders: variable(
    'NIGHTSHIFT_MODEL_PROXY_PROVIDERS',
    z
      .string()
      .regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, 'must be comma-separated provider ids')
      .optional(),
    'the providers the model proxy serves (anthropic, openai …), comma-separated',
    { quoted: true },
  ),
  modelCredential: variable(
    'NIGHTSHIFT_MODEL_CREDENTIAL',
    z.string().optional(),
    "this sandbox's key for the model proxy: it opens the proxy for its own session only, and is no provider's key",
    { secret: true },
  ),
  setupTimeoutSeconds: seconds('NIGHTSHIFT_SETUP_TIMEOUT_SECONDS', 600, 'limit for setup.sh'),
  startScriptTimeoutSeconds: seconds('NIGHTSHIFT_START_SCRIPT_TIMEOUT_SECONDS', 120, 'limit for start.sh'),
  heartbeatSeconds: seconds('NIGHTSHIFT_HEARTBEAT_SECONDS', 5, 'how often the sandbox says it is alive'),
  orphanTimeoutSeconds: seconds(
    'NIGHTSHIFT_ORPHAN_TIMEOUT_SECONDS',
    900,
    'with no control plane for this long and no prompt running, the sandbox shuts itself down',
  ),
};
export type Variables = typeof VARIABLES;
export type Field = keyof Variables;
export const FIELDS = Object.keys(VARIABLES) as Field[];
/** Credentials that are JSON maps of many values (`encodeSecretMap`). */
export const SECRET_MAPS = new Set<Field>(['agentSecrets', 'setupSecrets']);
