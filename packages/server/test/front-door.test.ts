/**
 * What the server answers at its door, before any handler: where a WebSocket upgrade goes, why it
 * cannot listen, an unusable data dir, and who may use the git endpoint.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config.js';
import { prepareDataDir } from '../src/data-dir.js';
import { listen } from '../src/http/listen.js';
import { routeUpgrade } from '../src/http/upgrade-routes.js';
import { sandboxGitGrants } from '../src/scm/git-auth.js';

const cleanup: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-door-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function closing(server: Server): Server {
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return server;
}

describe('WebSocket upgrade routes', () => {
  it('take the bridge path to the bridge, whatever its query', () => {
    expect(routeUpgrade('/api/sandboxes/bridge')).toEqual({ kind: 'bridge' });
    expect(routeUpgrade('/api/sandboxes/bridge?x=1')).toEqual({ kind: 'bridge' });
  });

  it('take a session socket to its session, replaying after the given seq (all of it by default)', () => {
    expect(routeUpgrade('/api/sessions/ses_1/ws')).toEqual({ kind: 'session', sessionId: 'ses_1', after: 0 });
    expect(routeUpgrade('/api/sessions/ses%201/ws?after=42')).toEqual({
      kind: 'session',
      sessionId: 'ses 1',
      after: 42,
    });
  });

  it('refuse an after that is not a whole number, not negative, with 400', () => {
    for (const after of ['-3', '1.5', 'x'])
      expect(routeUpgrade(`/api/sessions/ses_1/ws?after=${after}`)).toEqual({
        kind: 'refused',
        refusal: {
          status: 400,
          code: 'invalid_request',
          message: 'after: must be a whole number, not negative',
        },
      });
  });

  it('refuse any other path with 404, naming it', () => {
    for (const p of ['/api/sessions', '/api/sessions/ses_1/ws/more', '/ws'])
      expect(routeUpgrade(`${p}?after=1`)).toEqual({
        kind: 'refused',
        refusal: { status: 404, code: 'not_found', message: `no WebSocket endpoint at ${p}` },
      });
  });
});

describe('listening', () => {
  it('on a taken port fails with one line saying how to choose another', async () => {
    const taken = closing(createServer());
    await listen(taken, '127.0.0.1', 0);
    const { port } = taken.address() as AddressInfo;
    const second = createServer();
    const failure = await listen(second, '127.0.0.1', port).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as Error).message).toBe(
      `port ${port} on 127.0.0.1 is already in use (choose another with --port or NIGHTSHIFT_PORT)`,
    );
  });

  it('on an address this machine does not have fails saying so', async () => {
    const failure = await listen(createServer(), '192.0.2.1', 0).catch((err: unknown) => err);
    expect((failure as Error).message).toBe(
      'cannot listen on host 192.0.2.1: no such address on this machine',
    );
  });
});

describe('the data dir', () => {
  it('is created when missing', () => {
    const dir = path.join(tempDir(), 'a', 'b');
    prepareDataDir(dir);
    writeFileSync(path.join(dir, 'x'), '');
  });

  it('that cannot be written is one line naming it and how to choose another', () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const dir = path.join(file, 'data');
    expect(() => prepareDataDir(dir)).toThrow(
      new ConfigError(
        `data dir ${dir} is not writable (ENOTDIR); choose another with --data-dir or NIGHTSHIFT_DATA_DIR`,
      ),
    );
  });
});

describe('git access', () => {
  function grants() {
    const repo = tempDir();
    execFileSync('git', ['init', '-q', repo]);
    const tokens = new Map([['token-of-ses_1', 'ses_1']]);
    const sessions = new Map([['ses_1', { repo, branch: 'nightshift/ab12' }]]);
    return {
      repo,
      lookup: sandboxGitGrants({
        sessionForGitPassword: (token) => tokens.get(token),
        session: async (id) => sessions.get(id),
      }),
    };
  }

  it('lets a sandbox reach its own session’s repository, pushing only the session branch', async () => {
    const { repo, lookup } = grants();
    expect(await lookup('ses_1', 'token-of-ses_1')).toEqual({
      gitDir: path.join(realpathSync(repo), '.git'),
      pushableRef: 'refs/heads/nightshift/ab12',
    });
  });

  it('refuses another session’s repository, and a token no running sandbox holds', async () => {
    const { lookup } = grants();
    expect(await lookup('ses_2', 'token-of-ses_1')).toBeUndefined();
    expect(await lookup('ses_1', 'guessed')).toBeUndefined();
  });
});
