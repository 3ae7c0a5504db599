/**
 * Telling a sandbox's connection from anyone else's, with real sockets and a real bubblewrap
 * process: the kernel's socket table is the only witness, so these tests open real connections.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { findClientSocket, localClientSocket, procEndpoint } from '../src/sandboxes/local/socket-table.js';
import { SandboxPeers } from '../src/sandboxes/local/sandbox-peers.js';
import { isSandboxRoute, SandboxGate } from '../src/sandboxes/sandbox-gate.js';
import { createServer as createHttpServer, Agent, request } from 'node:http';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A TCP server on loopback that reports each accepted connection's two ends. */
async function listen(host = '127.0.0.1'): Promise<{ port: number; accepted: () => Promise<Socket> }> {
  const waiting: Array<(s: Socket) => void> = [];
  const server = createServer((socket) => waiting.shift()?.(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

const ends = (s: Socket) => ({
  remote: { address: s.remoteAddress!, port: s.remotePort! },
  local: { address: s.localAddress!, port: s.localPort! },
});

describe('the kernel socket table', () => {
  it('encodes endpoints as /proc/net/tcp prints them', () => {
    expect(procEndpoint({ address: '127.0.0.1', port: 8080 })).toEqual({
      table: 'tcp',
      text: '0100007F:1F90',
    });
    expect(procEndpoint({ address: '::ffff:10.1.2.3', port: 22 })).toEqual({
      table: 'tcp',
      text: '0302010A:0016',
    });
    expect(procEndpoint({ address: '::1', port: 443 })).toEqual({
      table: 'tcp6',
      text: '00000000000000000000000001000000:01BB',
    });
  });

  it('finds the client socket of a connection by both of its ends', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1067 1',
      '   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 200123        0 4242 1',
      '   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4243 1',
    ].join('\n');
    expect(findClientSocket(table, '0100007F:C350', '0100007F:1F90')).toEqual({ uid: 200123, inode: 4242 });
    expect(findClientSocket(table, '0100007F:C351', '0100007F:1F90')).toBeUndefined();
  });

  it('names the uid behind a live loopback connection, and nothing for one that is not local', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const { port, accepted } = await listen(host);
      const client = connect(port, host);
      const socket = await accepted();
      const { remote, local } = ends(socket);
      expect(localClientSocket(remote, local)).toMatchObject({ uid: process.getuid!() });
      expect(localClientSocket({ ...remote, port: remote.port === 1 ? 2 : 1 }, local)).toBeUndefined();
      client.destroy();
    }
  });
});

describe('a sandbox peer', () => {
  it('is a process under a sandbox launcher; the server’s own processes and other namespaces are not', async () => {
    const launchers = new Set<number>();
    const peers = new SandboxPeers(null, () => launchers);
    const { port, accepted } = await listen();

    const mine = connect(port, '127.0.0.1');
    const fromHost = await accepted();
    expect(peers.isSandbox(ends(fromHost).remote, ends(fromHost).local)).toBe(false);
    mine.destroy();

    // The same connection made from inside bubblewrap (same uid, its own pid namespace), as a
    // sandbox launched by us and as some other namespaced program (a Flatpak browser, say).
    const bubblewrapped = () =>
      spawn(
        'bwrap',
        [
          '--die-with-parent',
          '--unshare-user',
          '--unshare-pid',
          '--ro-bind',
          '/',
          '/',
          '--proc',
          '/proc',
          '--dev',
          '/dev',
          '--',
        ].concat(['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; sleep 30`]),
        { stdio: 'ignore' },
      );
    const children: ChildProcess[] = [];
    try {
      let next = accepted();
      const ours = bubblewrapped();
      children.push(ours);
      launchers.add(ours.pid!);
      const fromSandbox = await next;
      expect(peers.isSandbox(ends(fromSandbox).remote, ends(fromSandbox).local)).toBe(true);

      next = accepted();
      children.push(bubblewrapped());
      const fromElsewhere = await next;
      expect(peers.isSandbox(ends(fromElsewhere).remote, ends(fromElsewhere).local)).toBe(false);
    } finally {
      for (const child of children) child.kill('SIGKILL');
    }
  }, 20_000);

  it('is any connection from a sandbox uid', async () => {
    const { port, accepted } = await listen();
    const client = connect(port, '127.0.0.1');
    const socket = await accepted();
    const uid = process.getuid!();
    expect(
      new SandboxPeers({ first: uid, count: 1 }, () => new Set()).isSandbox(
        ends(socket).remote,
        ends(socket).local,
      ),
    ).toBe(true);
    expect(
      new SandboxPeers({ first: uid + 1, count: 10 }, () => new Set()).isSandbox(
        ends(socket).remote,
        ends(socket).local,
      ),
    ).toBe(false);
    client.destroy();
  });

  it('is refused when local and gone from the table: it cannot be told apart', () => {
    const peers = new SandboxPeers(null, () => new Set());
    expect(peers.isSandbox({ address: '127.0.0.1', port: 1 }, { address: '127.0.0.1', port: 2 })).toBe(true);
    // A client on another machine never is.
    expect(peers.isSandbox({ address: '203.0.113.9', port: 1 }, { address: '127.0.0.1', port: 2 })).toBe(
      false,
    );
  });

  it('is refused when its socket was let go of (sent and destroyed): the kernel shows root’s uid then', async () => {
    const { port, accepted } = await listen();
    const client = connect(port, '127.0.0.1');
    const socket = await accepted();
    const { remote, local } = ends(socket);
    // The client closes first, so its end lingers without a process: inode 0 (and root's uid, often).
    client.destroy();
    await new Promise<void>((resolve) => {
      const check = () => (localClientSocket(remote, local)?.inode === 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(localClientSocket(remote, local)).toMatchObject({ inode: 0 });
    expect(new SandboxPeers(null, () => new Set()).isSandbox(remote, local)).toBe(true);
    socket.destroy();
  });

  it('may use only the bridge and the git endpoint', () => {
    expect(isSandboxRoute('/api/sandboxes/bridge')).toBe(true);
    expect(isSandboxRoute('/git/ses_1.git/info/refs')).toBe(true);
    for (const p of ['/api/sessions', '/api/sessions/ses_1/ws', '/api/health', '/', '/sessions/ses_1'])
      expect(isSandboxRoute(p), p).toBe(false);
  });
});

describe('the sandbox gate', () => {
  it('refuses a sandbox everything but its routes, and reports it once per connection', async () => {
    const reports: Array<{ method: string; path: string }> = [];
    const fromSandbox = new Set<number>(); // client ports taken for sandboxes
    let asSandbox = true;
    const gate = new SandboxGate(
      (remote) => fromSandbox.has(remote.port),
      (r) => reports.push(r),
    );
    const server = createHttpServer((req, res) => res.writeHead(gate.refuses(req) ? 403 : 200).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const get = (path: string, method = 'GET') =>
        new Promise<number>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path, method, agent }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('socket', (s) => s.once('connect', () => asSandbox && fromSandbox.add(s.localPort!)));
          req.on('error', reject).end();
        });
      expect(await get('/api/sessions?token=secret')).toBe(403);
      expect(await get('/api/sessions/ses_1/prompts', 'POST')).toBe(403);
      expect(await get('/git/ses_1.git/info/refs')).toBe(200);
      expect(reports).toEqual([{ method: 'GET', path: '/api/sessions' }]); // no query: it may hold secrets
      agent.destroy();
      // Anyone else is let through.
      asSandbox = false;
      expect(await get('/api/sessions')).toBe(200);
    } finally {
      server.close();
    }
  });
});
