/**
 * Attacks on the control plane over the network, run as the agent inside real sandboxes (issue 9,
 * items 1, 5 and 7): a sandbox has its own network namespace and reaches the control plane only
 * through the Unix socket handed to it, so it can neither take the control plane's port on any
 * host address nor use its API over TCP, whatever reaches the host's loopback on its behalf
 * (slirp4netns) is refused as the sandbox it is, and the rest of the host's loopback is closed
 * to it (models it reaches through its model relay, the model proxy on the host side).
 */
import { accessSync, constants } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '@nightshift/protocol';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';

let stack: ShellStack;
let port: number;

beforeAll(async () => {
  stack = await startShellStack();
  port = Number(new URL(stack.server.url).port);
});
afterAll(async () => {
  await stack?.close();
});

/** What the host gets on connecting to `host:port`: the first bytes of an answer, or the error code. */
function probeFromHost(host: string, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let answer = '';
    socket.on('connect', () => socket.write(request));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.on('close', () => resolve(answer));
  });
}

/** Raw HTTP over bash's /dev/tcp from inside the sandbox; prints the answer or bash's error. */
function rawRequest(name: string, host: string, head: string, body = ''): string {
  return (
    `echo "== ${name}"; timeout 10 bash -c 'exec 3<>/dev/tcp/${host}/${port} && ` +
    `printf "${head}\\r\\nHost: x\\r\\nConnection: close\\r\\ncontent-type: application/json\\r\\ncontent-length: ${body.length}\\r\\n\\r\\n%s" '"'"'${body}'"'"' >&3 && cat <&3' 2>&1; echo`
  );
}

const hostAddresses = () => [
  '127.0.0.1',
  '::1',
  '10.0.2.2', // slirp4netns's address for the host's loopback
  ...Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && !i.internal && i.family === 'IPv4')
    .map((i) => i!.address),
];

/**
 * Without root, slirp4netns opens /dev/net/tun as the server's user; where the host keeps it
 * root's, the server falls back to the shared network and its TCP gate (and says so), and only
 * the attacks that need a network of the sandbox's own are skipped.
 */
function ownNetworkPossible(): boolean {
  if (process.getuid?.() === 0) return true;
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
const OWN_NETWORK = ownNetworkPossible();
const needsOwnNetwork = it.skipIf(!OWN_NETWORK);
if (!OWN_NETWORK)
  console.warn(
    'network attacks: /dev/net/tun is root’s here, so sandboxes share the host network: squatting and TCP-reach tests skipped',
  );

const promptsOf = (events: SessionEvent[]) => events.filter((e) => e.type === 'prompt_queued');

describe('the network, from inside a sandbox', () => {
  needsOwnNetwork(
    'cannot take the control plane’s port on 127.0.0.1 or [::1]: the host’s clients still reach the real server',
    async () => {
      const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'squat\n' }));
      // A squatter left running after the agent's turn, as item 1's was (setsid nohup …).
      const squatter =
        `const net=require('net');` +
        `for (const host of ['127.0.0.1','::1']) net.createServer(s=>s.end('HTTP/1.1 200 OK\\r\\ncontent-length: 8\\r\\n\\r\\nsquatted')).listen(${port},host,()=>console.log('bound '+host)).on('error',e=>console.log(host+' '+e.code));` +
        `setTimeout(()=>{},600000)`;
      const output = await stack.agentRuns(
        session.id,
        `setsid nohup node -e "${squatter}" > /tmp/squat.log 2>&1 & ` +
          `for i in $(seq 50); do [ "$(wc -l < /tmp/squat.log)" -ge 2 ] && break; sleep 0.1; done; cat /tmp/squat.log`,
      );
      // Inside its own namespace the ports are free: the squatter binds them, and nothing changes outside.
      expect(output).toContain('bound ::1');
      for (const host of ['127.0.0.1', '::1']) {
        const answer = await probeFromHost(
          host,
          'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
        );
        expect(answer, host).not.toContain('squatted');
      }
      expect(
        await probeFromHost('127.0.0.1', 'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      ).toMatch(/^HTTP\/1\.1 200/);
    },
    150_000,
  );

  needsOwnNetwork(
    'cannot reach the control plane’s API over TCP on any host address',
    async () => {
      const other = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'other\n' }));
      const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'tcp\n' }));
      const addresses = hostAddresses();
      const output = await stack.agentRuns(
        session.id,
        addresses.map((a) => rawRequest(a, a, 'GET /api/sessions HTTP/1.1')).join('; '),
      );
      const sections = output.split(/^== /m).slice(1);
      expect(sections.map((s) => s.slice(0, s.indexOf('\n')))).toEqual(addresses);
      for (const section of sections) {
        // Refused outright (nothing of the host's listens in the sandbox's namespace), or the gate's 403.
        expect(section, section).not.toMatch(/^HTTP\/1\.1 [^4]/m);
        if (/^HTTP/m.test(section)) expect(section).toContain('sandbox_forbidden');
      }
      // The sandbox's own loopback is its own: the host's server is not there.
      for (const loopback of ['127.0.0.1', '::1']) {
        const section = sections[addresses.indexOf(loopback)]!;
        expect(section, loopback).not.toMatch(/^HTTP\//m);
      }
      expect(output).not.toContain('"sessions"');
      expect(promptsOf(await stack.api.events(other.id))).toEqual([]);
    },
    150_000,
  );

  it('cannot slip a prompt in by sending a request and destroying its connection at once', async () => {
    const other = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'victim\n' }));
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'destroy\n' }));
    const body = JSON.stringify({ text: 'injected', author: { name: 'Mallory', email: 'm@example.com' } });
    const request = Buffer.from(
      `POST /api/sessions/${other.id}/prompts HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    ).toString('base64');
    const sendAndDestroy =
      `const net=require('net');let n=0;` +
      `for (const host of ['127.0.0.1','10.0.2.2']) for (let i=0;i<8;i++){const s=net.connect(${port},host,()=>{s.write(Buffer.from('${request}','base64'));s.destroy()});s.on('error',()=>{});s.on('close',()=>{if(++n===16)console.log('sent')})}`;
    const output = await stack.agentRuns(session.id, `node -e "${sendAndDestroy}"`);
    expect(output).toContain('sent');
    // Whatever the server made of them, nothing landed in the other session.
    expect(promptsOf(await stack.api.events(other.id))).toEqual([]);
    expect((await stack.api.session(other.id)).id).toBe(other.id); // and the server is still up
  }, 150_000);

  needsOwnNetwork(
    'cannot reach another service on the host’s loopback, while its prompts still get model replies',
    async () => {
      // A service listening on the host's 127.0.0.1 only, as a developer's database or admin UI would.
      const service: Server = createServer((socket) => socket.end('host-loopback-service\n'));
      await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
      const servicePort = (service.address() as AddressInfo).port;
      try {
        const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'loopback\n' }));
        // agentRuns itself needs the model's replies (the tool call, then the final text).
        const output = await stack.agentRuns(
          session.id,
          `for host in 10.0.2.2 127.0.0.1; do echo "== $host"; ` +
            `timeout 10 bash -c "exec 3<>/dev/tcp/$host/${servicePort} && cat <&3" 2>&1; echo; done`,
        );
        expect(output).toContain('== 10.0.2.2');
        expect(output).not.toContain('host-loopback-service');
      } finally {
        await new Promise((resolve) => service.close(resolve));
      }
    },
    150_000,
  );

  it('still has its bridge and git: a prompt’s work is committed and pushed', async () => {
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'works\n' }));
    await stack.agentRuns(session.id, `echo through-the-door > door.txt`);
    expect(JSON.stringify(await stack.api.artifacts(session.id))).toContain('"commit"');
  }, 150_000);
});
