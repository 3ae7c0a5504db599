/**
 * The control plane's mirror of a remote origin, against a real git HTTP server that requires
 * credentials: fetched with the credentials from the URL, and a push into it lands on the origin
 * first — or not at all.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBareRepo, startGitHttpServer, type GitHttpServer } from '@nightshift/testkit';
import { OriginMirrors, originCredentials } from '../src/scm/origin-mirror.js';
import { tempDir } from './support/harness.js';

const USER = 'mirror-user';
const PASSWORD = 'mirror-pa55-7c1d9e';

let gitServer: GitHttpServer;
let root: string;

beforeAll(async () => {
  root = tempDir('ns-mirror-');
  gitServer = await startGitHttpServer({
    root: path.join(root, 'origins'),
    username: USER,
    password: PASSWORD,
  });
});
afterAll(async () => {
  await gitServer?.close();
  rmSync(root, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: 'pipe' }).trim();
/** Asynchronous: the origin's HTTP server runs in this process and must answer meanwhile. */
const gitAsync = (cwd: string, ...args: string[]) =>
  new Promise<{ code: number; output: string }>((resolve) =>
    execFile('git', args, { cwd, encoding: 'utf8' }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    ),
  );

async function originAndMirror(name: string) {
  const bare = await createBareRepo(path.join(root, 'origins'), name);
  const url = gitServer.repoUrl(path.basename(bare), { credentials: true });
  const mirror = await new OriginMirrors(path.join(root, 'mirrors')).mirrorOf(url);
  await mirror.refresh();
  const work = tempDir('ns-mirror-work-');
  git(work, 'clone', '--quiet', '--branch', 'main', mirror.gitDir, '.');
  git(work, 'config', 'user.name', 'T');
  git(work, 'config', 'user.email', 't@example.com');
  return { bare, mirror, work };
}

describe('an origin mirror', () => {
  it('splits the credentials off the URL and keeps them out of its remote URL', () => {
    const origin = originCredentials(`https://${USER}:${PASSWORD}@git.example.com/a/b.git`);
    expect(origin.url).toBe('https://git.example.com/a/b.git');
    expect(origin.authorization).toBe(`Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`);
    expect(origin.secrets).toContain(PASSWORD);
    expect(originCredentials('git@github.com:a/b.git')).toEqual({
      url: 'git@github.com:a/b.git',
      authorization: null,
      secrets: [],
    });
  });

  it('fetches the origin with its credentials, which show in no URL', async () => {
    const { bare, mirror } = await originAndMirror('fetched');
    expect(git(mirror.gitDir, 'rev-parse', 'refs/heads/main')).toBe(
      git(bare, 'rev-parse', 'refs/heads/main'),
    );
    expect(git(mirror.gitDir, 'remote', 'get-url', 'origin')).not.toContain(PASSWORD);
    expect(gitServer.requests.some((r) => r.user === USER && r.status === 200)).toBe(true);
    // A commit made on the origin later arrives with the next refresh.
    const seed = tempDir('ns-mirror-seed-');
    git(seed, 'clone', '--quiet', bare, '.');
    git(
      seed,
      '-c',
      'user.name=O',
      '-c',
      'user.email=o@example.com',
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'later',
    );
    git(seed, 'push', '--quiet', 'origin', 'HEAD:main'); // a local path: no HTTP
    await mirror.refresh();
    expect(git(mirror.gitDir, 'rev-parse', 'refs/heads/main')).toBe(
      git(bare, 'rev-parse', 'refs/heads/main'),
    );
  });

  it('passes a push on to the origin before it takes it', async () => {
    const { bare, mirror, work } = await originAndMirror('pushed');
    git(work, 'commit', '--quiet', '--allow-empty', '-m', 'session work');
    expect(await gitAsync(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/session')).toMatchObject({
      code: 0,
    });
    const head = git(work, 'rev-parse', 'HEAD');
    expect(git(bare, 'rev-parse', 'refs/heads/session')).toBe(head);
    expect(git(mirror.gitDir, 'rev-parse', 'refs/heads/session')).toBe(head);
  });

  it('takes no push the origin refuses (a rewrite), nor a deletion, and shows no credential', async () => {
    const { bare, mirror, work } = await originAndMirror('refused');
    const before = git(bare, 'show-ref');
    const orphan = git(work, 'commit-tree', 'HEAD^{tree}', '-m', 'rewritten');
    const forced = await gitAsync(work, 'push', '--force', 'origin', `${orphan}:refs/heads/main`);
    expect(forced.code).not.toBe(0);
    expect(forced.output).toContain('the origin refused refs/heads/main');
    const deleted = await gitAsync(work, 'push', 'origin', ':refs/heads/main');
    expect(deleted.code).not.toBe(0);
    expect(deleted.output).toContain('is not deleted');
    expect(git(bare, 'show-ref')).toBe(before);
    expect(git(mirror.gitDir, 'rev-parse', 'refs/heads/main')).toBe(
      git(bare, 'rev-parse', 'refs/heads/main'),
    );
    for (const output of [forced.output, deleted.output]) expect(output).not.toContain(PASSWORD);
    // Its config holds the header (in the data dir, like the database), never the password's URL.
    expect(readFileSync(path.join(mirror.gitDir, 'config'), 'utf8')).not.toContain(PASSWORD);
  });

  it('says why, without the credentials, when the origin refuses them', async () => {
    const bare = await createBareRepo(path.join(root, 'origins'), 'wrong');
    const url = gitServer.repoUrl(path.basename(bare)).replace('://', `://${USER}:wrong-secret-123@`);
    const mirror = await new OriginMirrors(path.join(root, 'mirrors')).mirrorOf(url);
    const error = await mirror.refresh().then(
      () => null,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/git fetch from the origin http:\/\/127\.0\.0\.1:\d+\/wrong\.git failed/);
    expect(error).not.toContain('wrong-secret-123');
  });
});
