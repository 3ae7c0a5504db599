import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBareRepo, git, startGitHttpServer, type GitHttpServer } from '../src/index.js';

let dir: string;
let server: GitHttpServer | undefined;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-git-http-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await fs.rm(dir, { recursive: true, force: true });
});

const start = async () => {
  const root = path.join(dir, 'repos');
  const bare = await createBareRepo(root, 'project', {
    defaultBranch: 'trunk',
    files: { 'README.md': 'hello\n' },
  });
  server = await startGitHttpServer({ root, username: 'alice', password: 's3cret:with colon' });
  return { bare, server };
};

describe('git http server', () => {
  it('creates a bare repository whose default branch holds the initial commit', async () => {
    const { bare } = await start();
    expect(await git(['symbolic-ref', 'HEAD'], bare)).toBe('refs/heads/trunk');
    expect(await git(['log', '--format=%s', 'trunk'], bare)).toBe('Initial commit');
    expect(await git(['show', 'trunk:README.md'], bare)).toBe('hello');
  });

  it('clones and pushes with the right credentials', async () => {
    const { bare, server } = await start();
    const clone = path.join(dir, 'clone');
    await git(['clone', '--quiet', server.repoUrl('project', { credentials: true }), clone], dir);
    expect(await git(['rev-parse', '--abbrev-ref', 'HEAD'], clone)).toBe('trunk');
    expect(await fs.readFile(path.join(clone, 'README.md'), 'utf8')).toBe('hello\n');

    await fs.writeFile(path.join(clone, 'new.txt'), 'pushed over http\n');
    await git(['add', 'new.txt'], clone);
    await git(
      ['-c', 'user.name=Bob', '-c', 'user.email=bob@example.com', 'commit', '--quiet', '-m', 'Add new.txt'],
      clone,
    );
    await git(['push', '--quiet', 'origin', 'HEAD:refs/heads/feature'], clone);

    expect(await git(['show', 'feature:new.txt'], bare)).toBe('pushed over http');
    expect(await git(['log', '--format=%an', '-1', 'feature'], bare)).toBe('Bob');
    expect(
      server.requests.some(
        (r) => r.path.endsWith('/git-receive-pack') && r.status === 200 && r.user === 'alice',
      ),
    ).toBe(true);
  });

  it('refuses missing or wrong credentials with 401 and a Basic challenge', async () => {
    const { server } = await start();
    const anonymous = await fetch(`${server.repoUrl('project')}/info/refs?service=git-upload-pack`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);

    const wrong = await fetch(`${server.repoUrl('project')}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);

    await expect(
      git(['clone', '--quiet', server.repoUrl('project'), path.join(dir, 'anon')], dir),
    ).rejects.toThrow();
    const badUrl = server.repoUrl('project').replace('http://', 'http://alice:wrong@');
    await expect(git(['clone', '--quiet', badUrl, path.join(dir, 'bad')], dir)).rejects.toThrow(
      /Authentication failed|401/,
    );
    expect(server.requests.filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(3);
  });

  it('answers 404 for a repository that does not exist', async () => {
    const { server } = await start();
    const response = await fetch(`${server.repoUrl('missing')}/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from('alice:s3cret:with colon').toString('base64')}` },
    });
    expect(response.status).toBe(404);
  });
});
