/**
 * One sandbox, several bridge connections, over real WebSockets: the control plane keeps exactly
 * one, a replaced one's late close clears only itself, a prompt sent while none is open reaches
 * the next one, and a second connection cannot take over one that still answers.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { BridgeClose, BridgeDown, type BridgeUp, type EventInput } from '@nightshift/protocol';
import { createLogger } from '../src/log.js';
import { standaloneLiveSandbox } from './support/live-sandbox.js';
import { attachBridge } from '../src/sandboxes/bridge-endpoint.js';
import { openSqliteStore } from '../src/store/sqlite.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A supervisor's end, as raw as the tests need it: what it received, and when it closed. */
interface FakeSupervisor {
  ws: WebSocket;
  received: BridgeDown[];
  closed: Promise<number>;
  say(message: BridgeUp): void;
}

async function bridgeServer({ answerWithinMs = 300 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ns-bridge-conn-'));
  const store = await openSqliteStore(path.join(dir, 'db.sqlite'));
  const logLines: string[] = [];
  const log = createLogger(
    'warn',
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    }),
  );
  const sandbox = standaloneLiveSandbox(store, {
    adopted: true,
    log,
    // A connection that does not answer is replaced after this; one that does is never replaced.
    answerWithinMs,
  });
  const timeline: EventInput[] = [];
  sandbox.attach({
    emit: (event) => timeline.push(event),
    addArtifact: async (a) => ({ ...a, id: 'art_1', createdAt: new Date().toISOString() }),
    flushed: async () => {},
  });
  /** Resolves when the server side of each accepted connection, in order, has handled its close. */
  const serverClosed: Array<Promise<void>> = [];
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      attachBridge(ws, sandbox, log);
      // Registered after the bridge's own handler: when this runs, the sandbox has seen the close.
      serverClosed.push(new Promise((resolve) => ws.once('close', () => setImmediate(resolve))));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/sandboxes/bridge`;
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Connects a supervisor; `answersPings: false` is one whose other end went quiet. */
  async function connect({ answersPings = true } = {}): Promise<FakeSupervisor> {
    const ws = new WebSocket(url, { autoPong: answersPings });
    const received: BridgeDown[] = [];
    ws.on('message', (raw) => received.push(BridgeDown.parse(JSON.parse(raw.toString()))));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    cleanups.push(() => ws.terminate());
    return { ws, received, closed, say: (message) => ws.send(JSON.stringify(message)) };
  }

  return { sandbox, timeline, logLines, serverClosed, connect };
}

const hello = (id: number): BridgeUp => ({
  type: 'hello',
  id,
  sandboxId: 'sbx_1',
  runningMessageId: null,
  lastAckedId: 0,
});

const say = (id: number, delta: string): BridgeUp => ({
  type: 'activity',
  id,
  activity: { messageId: 'msg_1', kind: 'text', partId: 'p1', delta },
});

const job = {
  messageId: 'msg_1',
  text: 'work',
  author: { name: 'Ada', email: 'a@example.com' },
  model: null,
};

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const prompts = (s: FakeSupervisor) => s.received.filter((m) => m.type === 'prompt');
const spoken = (timeline: EventInput[]) =>
  timeline.map((e) => (e.type === 'sandbox_event' && 'delta' in e.data ? e.data.delta : '')).join('');

describe('bridge connections of one sandbox', () => {
  it('keeps the newer connection when the replaced one’s close arrives late, and a prompt reaches it', async () => {
    const t = await bridgeServer();
    const a = await t.connect({ answersPings: false });
    a.say(hello(1));
    await until(() => t.sandbox.connected, 'A is taken');

    const b = await t.connect();
    b.say(hello(2));
    await a.closed; // the server closed A, which no longer answered, for B
    await t.serverClosed[0]; // and A's close has reached the sandbox, after B took over

    expect(t.sandbox.connected).toBe(true);
    const result = t.sandbox.run(job as never);
    await until(() => prompts(b).length > 0, 'the prompt reaches B');
    expect(prompts(a)).toEqual([]);
    b.say({ type: 'prompt_result', id: 3, messageId: 'msg_1', outcome: 'completed', commit: null });
    expect(await result).toEqual({ outcome: 'completed' });
    expect(t.logLines.join('')).toContain('bridge connection replaced');
  });

  it('holds a prompt sent while no connection is open for the next one, with a stop asked meanwhile', async () => {
    const t = await bridgeServer();
    const a = await t.connect();
    a.say(hello(1));
    await until(() => t.sandbox.connected, 'A is taken');
    a.ws.close();
    await t.serverClosed[0];
    expect(t.sandbox.connected).toBe(false);

    const result = t.sandbox.run(job as never);
    t.sandbox.stop();
    const b = await t.connect();
    b.say(hello(2));
    await until(() => b.received.some((m) => m.type === 'stop'), 'the stop reaches B');
    expect(b.received.filter((m) => m.type !== 'ack').map((m) => m.type)).toEqual(['prompt', 'stop']);
    b.say({ type: 'prompt_result', id: 3, messageId: 'msg_1', outcome: 'stopped', commit: null });
    expect(await result).toEqual({ outcome: 'stopped' });
  });

  it('refuses a second connection while the first answers: it cannot inject or poison the ids', async () => {
    const t = await bridgeServer();
    const real = await t.connect();
    real.say(hello(1));
    await until(() => t.sandbox.connected, 'the real supervisor is taken');

    const impostor = await t.connect();
    impostor.say(hello(1));
    // A far-ahead id would make the inbox take every real message after it for a re-send.
    impostor.say(say(1_000_000, 'INJECTED'));
    expect(await impostor.closed).toBe(BridgeClose.alreadyConnected);

    real.say(say(2, 'real text'));
    await until(() => spoken(t.timeline).includes('real text'), 'the real supervisor’s text is stored');
    expect(spoken(t.timeline)).not.toContain('INJECTED');
    expect(t.logLines.join('')).toContain('refused a second bridge connection');

    const result = t.sandbox.run(job as never);
    await until(() => prompts(real).length > 0, 'prompts still go to the real supervisor');
    expect(prompts(impostor)).toEqual([]);
    real.say({ type: 'prompt_result', id: 3, messageId: 'msg_1', outcome: 'completed', commit: null });
    expect(await result).toEqual({ outcome: 'completed' });
  });

  it('cuts off a newcomer that floods while it waits, and keeps the current connection', async () => {
    // The current connection does not answer, and the wait for it is long: the flood comes first.
    const t = await bridgeServer({ answerWithinMs: 120_000 });
    const quiet = await t.connect({ answersPings: false });
    quiet.say(hello(1));
    await until(() => t.sandbox.connected, 'the first connection is taken');

    const flood = await t.connect();
    const chunk = say(2, 'x'.repeat(1024 * 1024));
    for (let i = 0; i < 40; i += 1) flood.say(chunk);
    expect(await flood.closed).toBe(1006); // terminated, no close handshake
    await t.serverClosed[1];
    expect(t.logLines.join('')).toContain('sent too much before it was taken');
    expect(spoken(t.timeline)).toBe('');

    // Once the quiet one's other end is gone, its successor is whoever connects next.
    quiet.ws.terminate();
    await t.serverClosed[0];
    const next = await t.connect();
    next.say(hello(3));
    next.say(say(4, 'after'));
    await until(() => spoken(t.timeline) === 'after', 'the next connection is read');
  });
});
