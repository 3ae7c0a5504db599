/**
 * The supervisor's environment contract (see packages/sandbox/README.md), parsed and validated in
 * one place. Pure: an environment in, a config or every problem at once out.
 */
import path from 'node:path';
import type { Author } from '@nightshift/protocol';
import { parseRemote, type GitRemote } from '../git/remote.js';
import { modelSettingsFromEnv, parseModel, type ModelSettings } from '../opencode/config.js';

export interface SupervisorConfig {
  bridge: { url: string; token: string };
  sandboxId: string;
  sessionId: string | null;
  remote: GitRemote;
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
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid supervisor environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvError';
  }
}

type Env = Record<string, string | undefined>;

export const DEFAULT_BOT: Author = { name: 'Nightshift', email: 'bot@nightshift.local' };

export function parseSupervisorEnv(env: Env): SupervisorConfig {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is required`);
    return value ?? '';
  };
  const absolute = (name: string): string => {
    const value = required(name);
    if (value && !path.isAbsolute(value)) problems.push(`${name} must be an absolute path (got ${value})`);
    return value;
  };
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback * 1000;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      problems.push(`${name} must be a positive number of seconds (got ${raw})`);
      return fallback * 1000;
    }
    return Math.round(value * 1000);
  };

  const bridgeUrl = required('NIGHTSHIFT_BRIDGE_URL');
  if (bridgeUrl && !/^wss?:\/\/[^/\s]+/i.test(bridgeUrl))
    problems.push(`NIGHTSHIFT_BRIDGE_URL must be a ws:// or wss:// URL (got ${bridgeUrl})`);
  const token = required('NIGHTSHIFT_SANDBOX_TOKEN');
  const sandboxId = required('NIGHTSHIFT_SANDBOX_ID');

  const repoUrl = required('NIGHTSHIFT_REPO_URL');
  let remote: GitRemote = { url: repoUrl, credentials: null };
  if (repoUrl) {
    if (
      !/^(https?|file|ssh|git):\/\//i.test(repoUrl) &&
      !path.isAbsolute(repoUrl) &&
      !/^[^/\s]+@[^:\s]+:/.test(repoUrl)
    )
      problems.push(
        'NIGHTSHIFT_REPO_URL must be an http(s)://, file://, ssh:// URL or an absolute path (got something else)',
      );
    else {
      try {
        remote = parseRemote(repoUrl, {
          ...(env.NIGHTSHIFT_GIT_USERNAME !== undefined ? { username: env.NIGHTSHIFT_GIT_USERNAME } : {}),
          ...(env.NIGHTSHIFT_GIT_PASSWORD !== undefined ? { password: env.NIGHTSHIFT_GIT_PASSWORD } : {}),
        });
      } catch {
        // Never echo the value: it may hold credentials.
        problems.push('NIGHTSHIFT_REPO_URL is not a valid URL');
      }
    }
  }
  if (
    (env.NIGHTSHIFT_GIT_USERNAME || env.NIGHTSHIFT_GIT_PASSWORD) &&
    remote.url &&
    !/^https?:/i.test(remote.url)
  )
    problems.push('NIGHTSHIFT_GIT_USERNAME/NIGHTSHIFT_GIT_PASSWORD only apply to http(s) repository URLs');

  const baseBranch = required('NIGHTSHIFT_BASE_BRANCH');
  const branch = required('NIGHTSHIFT_BRANCH');
  for (const [name, value] of [
    ['NIGHTSHIFT_BASE_BRANCH', baseBranch],
    ['NIGHTSHIFT_BRANCH', branch],
  ] as const) {
    if (value && !isBranchName(value)) problems.push(`${name} is not a valid branch name (got ${value})`);
  }
  if (branch && branch === baseBranch)
    problems.push(
      `NIGHTSHIFT_BRANCH must differ from NIGHTSHIFT_BASE_BRANCH (${branch}): the base branch is never pushed to`,
    );

  const workspace = absolute('NIGHTSHIFT_WORKSPACE');
  const stateDir = absolute('NIGHTSHIFT_STATE_DIR');

  const bot = {
    name: env.NIGHTSHIFT_BOT_NAME?.trim() || DEFAULT_BOT.name,
    email: env.NIGHTSHIFT_BOT_EMAIL?.trim() || DEFAULT_BOT.email,
  };
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(bot.email))
    problems.push(`NIGHTSHIFT_BOT_EMAIL must be an email address (got ${bot.email})`);
  if (/[<>\n]/.test(bot.name)) problems.push('NIGHTSHIFT_BOT_NAME must not contain <, > or line breaks');

  const models = modelSettingsFromEnv(env);
  if (models.defaultModel && !parseModel(models.defaultModel))
    problems.push(
      `NIGHTSHIFT_MODEL must be provider/model, e.g. anthropic/claude-sonnet-4-5 (got ${models.defaultModel})`,
    );
  const compatible = env.NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL?.trim();
  if (compatible && !/^https?:\/\/\S+$/i.test(compatible))
    problems.push('NIGHTSHIFT_OPENAI_COMPATIBLE_BASE_URL must be an http(s):// URL');

  const config: SupervisorConfig = {
    bridge: { url: bridgeUrl, token },
    sandboxId,
    sessionId: env.NIGHTSHIFT_SESSION_ID?.trim() || null,
    remote,
    baseBranch,
    branch,
    workspace,
    stateDir,
    bot,
    setupTimeoutMs: seconds('NIGHTSHIFT_SETUP_TIMEOUT_SECONDS', 600),
    startScriptTimeoutMs: seconds('NIGHTSHIFT_START_SCRIPT_TIMEOUT_SECONDS', 120),
    heartbeatMs: seconds('NIGHTSHIFT_HEARTBEAT_SECONDS', 5),
    orphanTimeoutMs: seconds('NIGHTSHIFT_ORPHAN_TIMEOUT_SECONDS', 900),
    models,
  };
  if (problems.length > 0) throw new EnvError(problems);
  return config;
}

/** The secrets in a config: never to be shown in events, errors or logs. */
export function configSecrets(config: SupervisorConfig): string[] {
  const secrets = [config.bridge.token, config.remote.credentials?.password ?? ''];
  if (config.models.openaiCompatible?.apiKey) secrets.push(config.models.openaiCompatible.apiKey);
  secrets.push(...Object.values(config.models.providerKeys ?? {}));
  return secrets.filter((s) => s.length >= 4);
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
