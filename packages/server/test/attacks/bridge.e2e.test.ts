/**
 * Attacks on a sandbox's bridge, run by the agent from inside a real bubblewrap sandbox (issue 9,
 * item 8): with its sandbox's token (stolen, as it could be before the supervisor was sealed) the
 * agent opens a second bridge connection while its supervisor is connected, to take the bridge
 * over, put words on the timeline and make the control plane drop the supervisor's messages as
 * repeats. Before the fix the takeover worked, and the supervisor's reconnect, whose replaced
 * connection's late close cleared the new one, left the sandbox unable to receive a prompt.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRepoWithFiles } from '../support/agent-stack.js';
import { sandboxProcesses } from '../support/agent-process.js';
import { startShellStack, type ShellStack } from '../support/agent-shell.js';

let stack: ShellStack;

beforeAll(async () => {
  stack = await startShellStack();
});
afterAll(async () => {
  await stack?.close();
});

/** What the sandbox's launcher on this host was given: the token and where the bridge is. */
function bridgeOf(sessionId: string): { token: string; url: string; sandboxId: string } {
  const launcher = sandboxProcesses(stack.server.dataDir, sessionId).find((p) =>
    p.cmdline.startsWith('/bin/sh'),
  );
  if (!launcher) throw new Error(`no sandbox launcher for ${sessionId}`);
  const environ = readFileSync(`/proc/${launcher.pid}/environ`, 'utf8');
  const value = (name: string) => new RegExp(`(?:^|\\0)${name}=([^\\0]*)`).exec(environ)?.[1] ?? '';
  return {
    token: value('NIGHTSHIFT_SANDBOX_TOKEN'),
    url: value('NIGHTSHIFT_BRIDGE_URL'),
    sandboxId: value('NIGHTSHIFT_SANDBOX_ID'),
  };
}

/**
 * A bridge client by hand (raw socket, WebSocket framing written out), as an agent would write
 * one: it says hello, then, on the first acknowledgement (`upTo` N), sends id N+1 carrying
 * `mark` — the next id the real supervisor would use, which would then be dropped as a repeat.
 * It prints what happened to it: `acked N` lines, then `closed <code>` or why it could not connect.
 */
const IMPOSTOR = String.raw`
const net = require('net');
const crypto = require('crypto');
const [url, token, sandboxId, mark] = process.argv.slice(2);
let target, path;
if (url.startsWith('ws+unix:')) {
  const rest = url.slice('ws+unix:'.length).replace(/^\/\//, '');
  const at = rest.lastIndexOf(':');
  target = { path: rest.slice(0, at) };
  path = rest.slice(at + 1);
} else {
  const u = new URL(url);
  target = { host: u.hostname, port: Number(u.port) };
  path = u.pathname;
}
const done = (what) => { console.log(what); process.exit(0); };
setTimeout(() => done('still open after 30 s'), 30000);
const frame = (opcode, payload) => {
  const mask = crypto.randomBytes(4);
  const head = payload.length < 126 ? Buffer.from([0x80 | opcode, 0x80 | payload.length])
    : Buffer.from([0x80 | opcode, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
};
const send = (message) => socket.write(frame(1, Buffer.from(JSON.stringify(message))));
const socket = net.connect(target);
socket.on('error', (err) => done('could not connect: ' + err.code));
socket.on('close', () => done('connection ended'));
socket.write('GET ' + path + ' HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ' + crypto.randomBytes(16).toString('base64') + '\r\n' +
  'Authorization: Bearer ' + token + '\r\n\r\n');
let buffer = Buffer.alloc(0);
let upgraded = false;
let injected = 0;
socket.on('data', (data) => {
  buffer = Buffer.concat([buffer, data]);
  if (!upgraded) {
    const end = buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const status = buffer.subarray(0, end).toString().split('\r\n')[0];
    buffer = buffer.subarray(end + 4);
    if (!/^HTTP\/1\.1 101/.test(status)) done('refused: ' + status);
    upgraded = true;
    console.log('upgraded');
    send({ type: 'hello', id: 1, sandboxId, runningMessageId: null, lastAckedId: 0 });
  }
  while (buffer.length >= 2) {
    const opcode = buffer[0] & 15;
    let length = buffer[1] & 127;
    let offset = 2;
    if (length === 126) { if (buffer.length < 4) return; length = buffer.readUInt16BE(2); offset = 4; }
    else if (length === 127) { if (buffer.length < 10) return; length = Number(buffer.readBigUInt64BE(2)); offset = 10; }
    if (buffer.length < offset + length) return;
    const payload = buffer.subarray(offset, offset + length);
    buffer = buffer.subarray(offset + length);
    if (opcode === 8) done('closed ' + (payload.length >= 2 ? payload.readUInt16BE(0) : 'without a code'));
    if (opcode === 9) socket.write(frame(10, payload));
    if (opcode !== 1) continue;
    const message = JSON.parse(payload.toString());
    if (message.type !== 'ack') continue;
    console.log('acked ' + message.upTo);
    if (injected) continue;
    injected = message.upTo + 1;
    send({ type: 'activity', id: injected, activity: { messageId: 'msg_forged', kind: 'text', partId: 'forged', delta: mark } });
  }
});
`;

describe('attacks on the bridge from inside a sandbox', () => {
  it('a second connection with the sandbox’s token is refused while its supervisor answers; nothing is lost', async () => {
    const session = await stack.api.createSession(makeRepoWithFiles({ 'README.md': 'bridge\n' }));
    expect(await stack.agentRuns(session.id, 'echo warmed up')).toContain('warmed up');
    const bridge = bridgeOf(session.id);
    expect(bridge.token, 'the launcher holds the token').toBeTruthy();

    const mark = `FORGED-${randomBytes(6).toString('hex')}`;
    const script = Buffer.from(IMPOSTOR).toString('base64');
    const output = await stack.agentRuns(
      session.id,
      `echo ${script} | base64 -d > /tmp/impostor.js && ` +
        `node /tmp/impostor.js '${bridge.url}' '${bridge.token}' '${bridge.sandboxId}' '${mark}'`,
    );
    // It reached the bridge and was let in by its token; the control plane then found the real
    // supervisor answering and refused it, before reading a word of it.
    expect(output).toContain('upgraded');
    expect(output).not.toContain('acked');
    expect(output).toContain('closed 4001');
    // (The mark is in the command line the timeline shows; the forged message would be an event of its own.)
    const forged = (await stack.api.events(session.id)).filter(
      (e) => e.type === 'sandbox_event' && e.data.messageId === 'msg_forged',
    );
    expect(forged).toEqual([]);

    // The real supervisor kept its bridge: the next prompt reaches it and its words are stored.
    expect(await stack.agentRuns(session.id, 'echo still the real supervisor')).toContain(
      'still the real supervisor',
    );
  }, 240_000);
});
