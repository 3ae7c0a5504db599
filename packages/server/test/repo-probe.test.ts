/**
 * What a client learns about a repository the server cannot read: what is wrong, in Nightshift's
 * words, and never what the remote answered (the URL may name any service the server can reach).
 * Real git against real servers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeRepo, RepoUnreadable } from '../src/scm/repo-probe.js';
import { makeRepo, tempDir } from './support/harness.js';

const REMOTE_SECRET = 'internal-service-secret-7f3a';
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url!.startsWith('/hang')) return; // never answers
    if (req.url!.startsWith('/smart')) {
      // A smart-HTTP server's own error, which git prints as "remote error: …".
      const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, '0')}${line}`;
      res.writeHead(200, { 'content-type': 'application/x-git-upload-pack-advertisement' });
      return void res.end(`${pkt('# service=git-upload-pack\n')}0000${pkt(`ERR ${REMOTE_SECRET}\n`)}`);
    }
    const status = req.url!.startsWith('/private') ? 401 : req.url!.startsWith('/missing') ? 404 : 200;
    if (status === 401) res.setHeader('www-authenticate', `Basic realm="${REMOTE_SECRET}"`);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(`${REMOTE_SECRET}\n${req.url}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

async function refusal(repo: string, timeoutMs?: number): Promise<string> {
  const err = await probeRepo(repo, undefined, timeoutMs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RepoUnreadable);
  return (err as Error).message;
}

describe('probing a repository', () => {
  it('reads the default branch of a real one', async () => {
    expect(await probeRepo(makeRepo(), undefined)).toEqual({ defaultBranch: 'main' });
  });

  it('says a server that is not git is not a git repository, without repeating what it answered', async () => {
    for (const path of ['/anything', '/missing'])
      expect(await refusal(`${base}${path}`)).toBe(
        `repo: cannot read ${base}${path}: it is not a git repository`,
      );
    expect(await refusal(`${base}/smart`)).toBe(
      `repo: cannot read ${base}/smart: the server refused to serve it`,
    );
  });

  it('says authentication is required, without the remote’s realm', async () => {
    const message = await refusal(`${base}/private`);
    expect(message).toMatch(/: authentication required/);
    expect(message).not.toContain(REMOTE_SECRET);
  });

  it('says an address nobody listens on is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await refusal(`http://127.0.0.1:${port}/repo.git`)).toMatch(/: the server is unreachable$/);
  });

  it('gives up on a server that never answers', async () => {
    expect(await refusal(`${base}/hang`, 1000)).toMatch(/: timed out after 1 s$/);
  });

  it('says a local directory that is not a repository is not one, and hides credentials in the URL', async () => {
    expect(await refusal(tempDir())).toMatch(/: it is not a git repository$/);
    const message = await refusal(`http://user:hunter2@127.0.0.1:1/x.git`);
    expect(message).not.toContain('hunter2');
  });
});
