import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { redactUrl } from '../log.js';

/** What the control plane learns about a repository before it accepts a session for it. */
export interface RepoInfo {
  defaultBranch: string;
}

export class RepoUnreadable extends Error {}

/** Transports git may use for a session's repository: never `ext::` or other helpers that run commands. */
export const ALLOWED_GIT_PROTOCOLS = 'file:http:https:ssh:git';

/**
 * Asks the remote (with `git ls-remote`, which runs nothing from the repository) for its
 * default branch, and checks that a requested base branch exists.
 */
export async function probeRepo(
  repo: string,
  baseBranch: string | undefined,
  timeoutMs = 15_000,
): Promise<RepoInfo> {
  if (repo.startsWith('/')) {
    if (!existsSync(repo) || !statSync(repo).isDirectory()) {
      throw new RepoUnreadable(`repo: ${repo} does not exist or is not a directory`);
    }
  }
  const target = repo.startsWith('/') ? path.resolve(repo) : repo;
  const heads = await lsRemote(['--symref', target, 'HEAD', 'refs/heads/*'], timeoutMs);
  const branches = new Set<string>();
  let defaultBranch: string | undefined;
  for (const line of heads.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\s+HEAD$/.exec(line);
    if (symref) defaultBranch = symref[1];
    const head = /^[0-9a-f]+\s+refs\/heads\/(\S+)$/.exec(line);
    if (head) branches.add(head[1]!);
  }
  if (branches.size === 0)
    throw new RepoUnreadable('repo: the repository has no branches (push a first commit)');
  if (baseBranch !== undefined) {
    if (!branches.has(baseBranch)) {
      throw new RepoUnreadable(`baseBranch: the repository has no branch named "${baseBranch}"`);
    }
    return { defaultBranch: defaultBranch ?? baseBranch };
  }
  if (!defaultBranch || !branches.has(defaultBranch)) {
    defaultBranch = ['main', 'master'].find((b) => branches.has(b)) ?? [...branches].sort()[0]!;
  }
  return { defaultBranch };

  function lsRemote(args: string[], timeout: number): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        ['ls-remote', ...args],
        {
          timeout,
          env: {
            ...process.env,
            GIT_TERMINAL_PROMPT: '0',
            GIT_ASKPASS: '/bin/false',
            SSH_ASKPASS: '/bin/false',
            GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=10',
            GIT_ALLOW_PROTOCOL: ALLOWED_GIT_PROTOCOLS,
          },
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          if (!err) return resolve(stdout);
          const killed = (err as { killed?: boolean }).killed === true;
          const reason = killed ? `timed out after ${Math.round(timeout / 1000)} s` : whyUnreadable(stderr);
          reject(new RepoUnreadable(`repo: cannot read ${redactUrl(repo)}: ${reason}`));
        },
      );
    });
  }
}

/**
 * Why git could not read a repository, in our words. What the remote said is never repeated: the
 * URL may point at any server the control plane can reach, and its answers are not the client's
 * to read (that would make the probe a way to read internal services).
 */
export function whyUnreadable(gitStderr: string): string {
  const text = gitStderr.toLowerCase();
  if (/transport '[^']*' not allowed|unable to find remote helper|unsupported protocol/.test(text))
    return 'its transport is not allowed (use a path, file://, http(s)://, ssh:// or git://)';
  if (
    /authentication failed|could not read (username|password)|terminal prompts disabled|permission denied \(|host key verification failed|requested url returned error: 40[13]/.test(
      text,
    )
  )
    return 'authentication required (put credentials the server can use in the URL or its git configuration)';
  if (
    /could not resolve|connection refused|failed to connect|timed out|network is unreachable|no route to host|connection reset|ssl|certificate|empty reply|couldn't connect/.test(
      text,
    )
  )
    return 'the server is unreachable';
  if (
    /not a git repository|not found|does not appear to be a git repository|not valid: is this a git repository|returned error: 404|protocol error|invalid server response|does not exist/.test(
      text,
    )
  )
    return 'it is not a git repository';
  if (/remote error|error: rpc failed|the remote end hung up|returned error: 5\d\d/.test(text))
    return 'the server refused to serve it';
  return 'git could not read it';
}
