/**
 * A sandbox never talks to a remote origin: it would need the origin's credentials, and anything
 * in a sandbox is the agent's to read. The control plane keeps a bare mirror of each origin in
 * its data dir and serves that through its git endpoint; the mirror is fetched from the origin
 * (with the control plane's credentials) whenever a sandbox is about to read refs, and a push
 * into the mirror is passed on to the origin by the mirror's pre-receive hook before the mirror
 * takes it — so the origin's verdict (a non-fast-forward, a protected branch) is the sandbox's.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface OriginCredentials {
  /** The origin's URL without credentials: what the mirror's config and git's messages hold. */
  url: string;
  /** `Authorization` header value for an http(s) origin with credentials in its URL. */
  authorization: string | null;
  /** The strings to scrub from anything shown. */
  secrets: string[];
}

/** Splits the credentials off an http(s) origin URL; other URLs (ssh, git) pass unchanged. */
export function originCredentials(repo: string): OriginCredentials {
  if (!/^https?:\/\//i.test(repo)) return { url: repo, authorization: null, secrets: [] };
  const url = new URL(repo);
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  if (!username && !password) return { url: url.toString(), authorization: null, secrets: [] };
  const basic = Buffer.from(`${username}:${password}`).toString('base64');
  const secrets = [password, basic, url.password, encodeURIComponent(password)].filter((s) => s.length >= 4);
  return { url: url.toString(), authorization: `Basic ${basic}`, secrets };
}

/**
 * The hook that makes a push to the mirror a push to the origin: the session branch's new
 * commit, never forced (so a rewrite of published history is refused), never a deletion. The
 * branch rule itself (only the session branch; no tags) is checked before the push gets here.
 */
const PRE_RECEIVE = `#!/bin/sh
# Written by Nightshift: pushes to this mirror are passed on to the origin first.
zero=0000000000000000000000000000000000000000
status=0
while read -r old new ref; do
  case "$new" in
    "$zero"|0000000000000000000000000000000000000000000000000000000000000000)
      echo "nightshift: $ref is not deleted through the sandbox"; status=1; continue ;;
  esac
  if ! out=$(git push --quiet --no-verify origin "$new:$ref" 2>&1); then
    echo "$out"
    case "$out" in
      *"rotected branch"*)
        echo "nightshift: $ref is a protected branch on the origin: ask a repository admin to allow pushes to it, or start a new session (it gets a branch of its own)" ;;
      *) echo "nightshift: the origin refused $ref" ;;
    esac
    status=1
  elif [ -n "$out" ]; then echo "$out"
  fi
done
exit $status
`;

/**
 * The credentials for a repository's origin, asked at each use so a code host can hand out a
 * short-lived token (`renew`: the last one was refused, mint another). By default they are the
 * ones in the repository's URL.
 */
export type OriginCredentialsProvider = (
  repo: string,
  options?: { renew?: boolean },
) => Promise<OriginCredentials>;

const credentialsInUrl: OriginCredentialsProvider = async (repo) => originCredentials(repo);

export class OriginMirrors {
  /** One fetch at a time per mirror; a sandbox waits for the one under way. */
  private readonly refreshing = new Map<string, Promise<void>>();

  constructor(
    private readonly root: string,
    private readonly credentialsFor: OriginCredentialsProvider = credentialsInUrl,
  ) {}

  /**
   * The mirror of `repo` (made on first use) and how to bring it up to date. Every git request
   * of a sandbox passes here first, so a push to the origin (the pre-receive hook) goes with the
   * credentials just written, never older ones.
   */
  async mirrorOf(repo: string): Promise<{ gitDir: string; refresh: () => Promise<void> }> {
    const origin = await this.credentialsFor(repo);
    const gitDir = path.join(
      this.root,
      `${createHash('sha256').update(origin.url).digest('hex').slice(0, 24)}.git`,
    );
    if (!existsSync(path.join(gitDir, 'HEAD'))) await this.create(gitDir, origin);
    await writeAuthorization(gitDir, origin);
    return { gitDir, refresh: () => this.refresh(repo, gitDir, origin) };
  }

  private refresh(repo: string, gitDir: string, origin: OriginCredentials): Promise<void> {
    const running = this.refreshing.get(gitDir);
    if (running) return running;
    const fetch = (credentials: OriginCredentials) =>
      git(gitDir, ['fetch', '--quiet', '--prune', '--no-write-fetch-head', 'origin'], credentials);
    const fetched = fetch(origin)
      .catch(async (err: unknown) => {
        // A token revoked or expired before its time: once more with a new one, then give up.
        if (!origin.authorization || !/\b40[13]\b|authentication/i.test((err as Error).message)) throw err;
        const renewed = await this.credentialsFor(repo, { renew: true });
        await writeAuthorization(gitDir, renewed);
        return fetch(renewed);
      })
      .then(() => undefined)
      .finally(() => this.refreshing.delete(gitDir));
    this.refreshing.set(gitDir, fetched);
    return fetched;
  }

  private async create(gitDir: string, origin: OriginCredentials): Promise<void> {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    await git(this.root, ['init', '--quiet', '--bare', gitDir], origin);
    await git(gitDir, ['remote', 'add', 'origin', origin.url], origin);
    await git(
      gitDir,
      ['config', '--replace-all', 'remote.origin.fetch', '+refs/heads/*:refs/heads/*'],
      origin,
    );
    await git(gitDir, ['config', '--add', 'remote.origin.fetch', '+refs/tags/*:refs/tags/*'], origin);
    const hook = path.join(gitDir, 'hooks', 'pre-receive');
    writeFileSync(hook, PRE_RECEIVE);
    chmodSync(hook, 0o755);
  }
}

/** The credentials may have changed (a new token): the last one wins. */
async function writeAuthorization(gitDir: string, origin: OriginCredentials): Promise<void> {
  await git(gitDir, ['config', '--unset-all', `http.${origin.url}.extraHeader`], origin).catch(
    () => undefined,
  );
  if (origin.authorization)
    await git(
      gitDir,
      ['config', `http.${origin.url}.extraHeader`, `Authorization: ${origin.authorization}`],
      origin,
    );
}

/** Real git for a mirror: no prompts, a time limit, and its messages with the credentials scrubbed. */
function git(cwd: string, args: string[], origin: OriginCredentials): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: 120_000,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', SSH_ASKPASS: 'true' },
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout.trim());
        const message = `git ${args[0]} from the origin ${origin.url} failed: ${stderr.trim() || error.message}`;
        reject(new Error(scrub(message, origin.secrets)));
      },
    );
  });
}

function scrub(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}
