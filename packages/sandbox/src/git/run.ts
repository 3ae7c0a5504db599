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
      { cwd, env: { ...process.env, ...git.env, ...extraEnv }, maxBuffer: MAX_BUFFER },
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
