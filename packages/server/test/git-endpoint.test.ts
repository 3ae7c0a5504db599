/**
 * The git endpoint a sandbox pushes through, with the real `git http-backend` and the real git
 * client: only its session branch, by whatever path it tries, and a compressed push is inflated
 * as a stream with a limit.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { frontDoor } from '../src/http/front-door.js';
import { createGitHttpHandler, smartHttpService } from '../src/scm/git-http.js';
import { localGitDir } from '../src/scm/local-repo.js';
import { makeRepo, tempDir } from './support/harness.js';
import { gzipBomb, pushCommands, rawExchange, statusOf } from './support/raw-http.js';

const run = promisify(execFile);
const TOKEN = 'token-of-ses_1';
const BRANCH = 'nightshift/ab12';
let server: Server;
let port: number;
let repo: string;

beforeAll(async () => {
  repo = makeRepo();
  const gitDir = await localGitDir(repo);
  const git = createGitHttpHandler(async (id, password) =>
    id === 'ses_1' && password === TOKEN ? { gitDir, pushableRef: `refs/heads/${BRANCH}` } : undefined,
  );
  server = createServer(
    frontDoor({
      gate: null,
      git,
      app: (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
      log: createLogger('silent'),
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const auth = `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`;
const heads = () =>
  execFileSync('git', ['-C', repo, 'for-each-ref', '--format=%(refname)'], { encoding: 'utf8' });

function post(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': 'application/x-git-receive-pack-request',
          'content-length': String(body.length),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the git endpoint', () => {
  it('serves smart HTTP on its exact paths only', () => {
    const q = (s: string) => new URLSearchParams(s);
    expect(smartHttpService('GET', '/info/refs', q('service=git-receive-pack'))).toBe('git-receive-pack');
    expect(smartHttpService('POST', '/git-receive-pack', q(''))).toBe('git-receive-pack');
    expect(smartHttpService('POST', '/git-upload-pack', q(''))).toBe('git-upload-pack');
    for (const p of ['//git-receive-pack', '/x/git-receive-pack', '/git-receive-pack/', '/HEAD'])
      expect(smartHttpService('POST', p, q('')), p).toEqual(expect.objectContaining({ status: 404 }));
    expect(smartHttpService('GET', '/info/refs', q(''))).toEqual(expect.objectContaining({ status: 403 }));
  });

  it('lets the real git client push the session branch, never the base branch or a tag', async () => {
    const work = tempDir('ns-clone-');
    const url = `http://x:${TOKEN}@127.0.0.1:${port}/git/ses_1.git`;
    // Asynchronously: this process is also the server git talks to.
    const git = (...args: string[]) =>
      run('git', ['-C', work, '-c', 'user.name=T', '-c', 'user.email=t@e.x', ...args]);
    await run('git', ['clone', '-q', url, work]);
    await git('commit', '-q', '--allow-empty', '-m', 'work');
    await git('push', '-q', 'origin', `HEAD:refs/heads/${BRANCH}`);
    expect(heads()).toContain(`refs/heads/${BRANCH}`);
    await expect(git('push', '-q', 'origin', 'HEAD:refs/heads/main')).rejects.toThrow(/403|may push only/);
    await git('tag', 'v1');
    await expect(git('push', '-q', 'origin', 'v1')).rejects.toThrow(/403|may push only/);
    expect(heads()).not.toContain('refs/tags/v1');
  });

  it('refuses every other path to receive-pack with a 4xx, never running it', async () => {
    const before = heads();
    const body = pushCommands('refs/heads/main');
    for (const path of [
      '/git/ses_1.git//git-receive-pack',
      '/git/ses_1.git/x/git-receive-pack',
      '/git/ses_1.git/./git-receive-pack',
      '/git/ses_1.git/%2e/git-receive-pack',
      '/git/ses_1.git/git-receive-pack/',
      '/git/ses_1.git/%2e%2e/ses_1.git/git-receive-pack',
      '/git/%73es_1.git/git-receive-pack',
    ]) {
      const status = await post(path, body);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
    }
    expect(heads()).toBe(before);
  });

  it('refuses a gzip bomb with 413, without holding its expansion in memory', async () => {
    const bomb = await gzipBomb(1024 ** 3, pushCommands(`refs/heads/${BRANCH}`));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    expect(await post('/git/ses_1.git/git-receive-pack', bomb, { 'content-encoding': 'gzip' })).toBe(413);
    const grew = process.resourceUsage().maxRSS * 1024 - peakBefore;
    console.log(
      `gzip bomb: ${bomb.length} bytes expanding to 1 GiB; peak RSS grew ${(grew / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(grew).toBeLessThan(256 * 1024 * 1024);
    // The connection that carried it is closed; the server answers the next one.
    const answer = await rawExchange(
      port,
      'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(answer)).toBe(200);
  });

  it('refuses a body in an encoding it does not inflate, and one that is not gzip', async () => {
    const body = pushCommands(`refs/heads/${BRANCH}`);
    expect(await post('/git/ses_1.git/git-receive-pack', body, { 'content-encoding': 'br' })).toBe(415);
    expect(await post('/git/ses_1.git/git-receive-pack', body, { 'content-encoding': 'gzip' })).toBe(400);
  });
});
