/** Real git as a child process: no libraries, no terminal prompts, errors with credentials scrubbed. */
import { execFile } from 'node:child_process';
import { scrub } from './scrub.js';

export interface GitEnv {
  /** Extra environment for every call (credential header, identities). */
  env: Record<string, string>;
  /** Removed from every error message. */
  secrets: readonly string[];
}

export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

const MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Settings every git call of ours runs with, whatever the workspace's config says. The repository's
 * hooks are not ours to run: a husky pre-push that runs the test suite, or an LFS hook in a sandbox
 * without git-lfs, would hold back or fail the push of the agent's work. Nor is a filesystem
 * monitor command someone put in `.git/config` (the agent can write there).
 */
const OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
];

/**
 * Adds config entries through GIT_CONFIG_COUNT/KEY_n/VALUE_n (git reads them like `-c`, above the
 * repository's config), after any the environment already carries (the credential header).
 */
export function withConfig<V extends string | undefined>(
  env: Record<string, V>,
  entries: ReadonlyArray<readonly [string, string]>,
): Record<string, V | string> {
  const count = Number(env.GIT_CONFIG_COUNT ?? 0) || 0;
  const out: Record<string, V | string> = {
    ...env,
    GIT_CONFIG_COUNT: String(count + entries.length),
  };
  entries.forEach(([key, value], i) => {
    out[`GIT_CONFIG_KEY_${count + i}`] = key;
    out[`GIT_CONFIG_VALUE_${count + i}`] = value;
  });
  return out;
}

/** Runs git; resolves with its output and exit code (never rejects on a non-zero exit). */
export function tryGit(
  args: string[],
  cwd: string,
  git: GitEnv,
  extraEnv: Record<string, string> = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, env: withConfig({ ...process.env, ...git.env, ...extraEnv }, OVERRIDES), maxBuffer: MAX_BUFFER },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(new GitError(scrub(`git ${args[0]}: ${error.message}`, git.secrets), null));
          return;
        }
        resolve({ stdout, stderr, code: error ? Number(error.code) : 0 });
      },
    );
  });
}

/** Runs git; rejects with a scrubbed `GitError` (git's own message) on a non-zero exit. */
export async function runGit(
  args: string[],
  cwd: string,
  git: GitEnv,
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const result = await tryGit(args, cwd, git, extraEnv);
  if (result.code !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).slice(-4000);
    throw new GitError(
      scrub(`git ${args[0]} failed (exit ${result.code}): ${detail}`, git.secrets),
      result.code,
    );
  }
  return result.stdout.trim();
}
