import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BridgeClose, type BridgeUp } from '@nightshift/protocol';
import { BridgeClient, Outbox, backoffDelay, type BridgeCommand } from '../src/bridge/index.js';
import { TestBridgePeer } from './bridge-peer.js';

const token = 'sandbox-token-123456';
const text = (delta: string, partId = 'p1') =>
  ({ type: 'activity', activity: { messageId: 'm1', kind: 'text', partId, delta } }) as const;

const storedText = (stored: BridgeUp[]) =>
  stored.map((m) => (m.type === 'activity' && m.activity.kind === 'text' ? m.activity.delta : '')).join('');

async function waitUntil(predicate: () => boolean, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('backoff', () => {
  const policy = { initialMs: 100, maxMs: 2000 };
  it('doubles from the initial delay up to the cap, with jitter between half and all of it', () => {
    expect(backoffDelay(0, policy, () => 1)).toBe(100);
    expect(backoffDelay(0, policy, () => 0)).toBe(50);
    expect(backoffDelay(3, policy, () => 1)).toBe(800);
    expect(backoffDelay(10, policy, () => 1)).toBe(2000);
    expect(backoffDelay(1000, policy, () => 0)).toBe(1000);
  });
});

describe('outbox', () => {
  it('numbers messages, forgets them when acknowledged cumulatively, and re-sends the rest in order', () => {
    const box = new Outbox();
    const a = box.push({ type: 'ready', durationMs: 1 });
    const b = box.push({ type: 'error', message: 'x' });
    const c = box.push({ type: 'ready', durationMs: 2 });
    expect([a?.id, b?.id, c?.id]).toEqual([1, 2, 3]);
    box.ack(2);
    expect(box.resend().map((m) => m.id)).toEqual([3]);
    box.ack(1); // late, smaller ack: changes nothing
    expect(box.lastAcked).toBe(2);
  });

  it('coalesces consecutive unsent text deltas of the same part, never into a sent one', () => {
    const box = new Outbox();
    const first = box.push(text('a'));
    box.markSent(first!.id);
    expect(box.push(text('b'))).not.toBeNull(); // the first may be stored already: a new message
    expect(box.push(text('c'))).toBeNull(); // merged into "b"
    expect(box.push(text('x', 'p2'))).not.toBeNull(); // another part
    expect(box.push(text('d'))).not.toBeNull(); // not consecutive any more
    const deltas = box
      .pending()
      .map((m) => (m.type === 'activity' && m.activity.kind === 'text' ? m.activity.delta : ''));
    expect(deltas).toEqual(['a', 'bc', 'x', 'd']);
  });

  it('drops waiting heartbeats on re-send', () => {
    const box = new Outbox();
    box.push({ type: 'heartbeat' });
    box.push({ type: 'ready', durationMs: 1 });
    expect(box.resend().map((m) => m.type)).toEqual(['ready']);
  });

  it('does not let a merge change the caller’s object', () => {
    const box = new Outbox();
    const body = text('a');
    box.push(body);
    box.push(text('b'));
    expect(body.activity.delta).toBe('a');
  });
});

describe('bridge client against a control plane that goes away', () => {
  const clients: BridgeClient[] = [];
  const peers: TestBridgePeer[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const p of peers.splice(0)) await p.kill();
  });

  async function setup(options: { autoAck?: boolean; token?: string } = {}) {
    const peer = new TestBridgePeer({ token, autoAck: options.autoAck ?? true });
    await peer.start();
    peers.push(peer);
    const commands: BridgeCommand[] = [];
    let running: string | null = null;
    const client = new BridgeClient({
      url: peer.url,
      token: options.token ?? token,
      sandboxId: 'sb1',
      runningMessageId: () => running,
      onCommand: (c) => commands.push(c),
      heartbeatMs: 200,
      backoff: { initialMs: 20, maxMs: 200 },
    });
    clients.push(client);
    return { peer, client, commands, setRunning: (id: string | null) => (running = id) };
  }

  it('authenticates with the token, says hello first, and receives commands', async () => {
    const { peer, client, commands } = await setup();
    client.start();
    await peer.waitFor(() => peer.connected && peer.hellos.length === 1);
    expect(peer.received[0]).toMatchObject({
      type: 'hello',
      sandboxId: 'sb1',
      runningMessageId: null,
      lastAckedId: 0,
    });
    peer.sendRaw('not json');
    peer.sendRaw(JSON.stringify({ type: 'bogus' }));
    peer.send({
      type: 'prompt',
      messageId: 'm1',
      text: 'hi',
      author: { name: 'A', email: 'a@x.io' },
      model: null,
    });
    peer.send({ type: 'stop', messageId: 'm1' });
    await peer.waitFor(() => commands.length === 2);
    expect(commands.map((c) => c.type)).toEqual(['prompt', 'stop']);
    // Heartbeats flow while connected.
    await peer.waitFor(() => peer.stored.some((m) => m.type === 'heartbeat'));
  });

  it('keeps retrying a refused connection without giving up', async () => {
    const { peer, client } = await setup({ token: 'wrong-token-value' });
    client.start();
    await peer.waitFor(() => peer.refused >= 3);
    expect(client.connected).toBe(false);
  });

  it('says so when the control plane refuses it because another connection holds the bridge, and retries', async () => {
    // A control plane whose sandbox is connected elsewhere for the first two attempts.
    const server = http.createServer();
    const wss = new WebSocketServer({ server });
    let attempts = 0;
    const hellos: unknown[] = [];
    wss.on('connection', (ws) => {
      attempts += 1;
      if (attempts <= 2) return ws.close(BridgeClose.alreadyConnected, 'connected elsewhere');
      ws.on('message', (raw) => hellos.push(JSON.parse(raw.toString())));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const logs: string[] = [];
    const client = new BridgeClient({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/bridge`,
      token,
      sandboxId: 'sb1',
      runningMessageId: () => null,
      onCommand: () => {},
      onLog: (_level, message) => logs.push(message),
      backoff: { initialMs: 20, maxMs: 200 },
    });
    clients.push(client);
    try {
      client.start();
      await waitUntil(() => hellos.length > 0);
      expect(attempts).toBe(3);
      expect(logs.filter((l) => l.includes('another one holds this sandbox’s bridge'))).toHaveLength(2);
    } finally {
      client.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('loses and duplicates nothing when the control plane dies mid-stream and comes back', async () => {
    const { peer, client, setRunning } = await setup();
    client.start();
    await peer.waitFor(() => peer.connected);
    setRunning('m1');
    let sent = '';
    const emit = (i: number) => {
      const delta = `${i},`;
      sent += delta;
      client.send(text(delta));
      if (i % 50 === 0)
        client.send({ type: 'activity', activity: { messageId: 'm1', kind: 'step', cost: i } });
    };
    for (let i = 0; i < 200; i++) emit(i);
    await peer.kill();
    await waitUntil(() => !client.connected);
    // The prompt goes on while the control plane is away: 2000 deltas end up as a handful of messages.
    const before = client.outbox.size;
    for (let i = 200; i < 2200; i++) emit(i);
    // 40 steps split the text into 41 runs: 81 messages for 2040 sends.
    expect(client.outbox.size - before).toBe(81);
    client.send({ type: 'prompt_result', messageId: 'm1', outcome: 'completed', commit: null });
    setRunning(null);
    await new Promise((r) => setTimeout(r, 100));
    await peer.start(); // same port, same stored state
    await peer.waitFor(() => peer.stored.some((m) => m.type === 'prompt_result'));

    expect(storedText(peer.stored)).toBe(sent);
    const ids = peer.stored.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(peer.stored.filter((m) => m.type === 'activity' && m.activity.kind === 'step')).toHaveLength(44);
    // Heartbeats may follow; the result is the last thing the prompt produced.
    expect(peer.stored.filter((m) => m.type !== 'heartbeat').at(-1)).toMatchObject({
      type: 'prompt_result',
      outcome: 'completed',
    });
    expect(peer.hellos.at(-1)).toMatchObject({ runningMessageId: null });
    expect(await client.drain(2000)).toBe(true);
  });

  it('re-sends what was delivered but never acknowledged, and the control plane keeps each id once', async () => {
    const { peer, client } = await setup({ autoAck: false });
    client.start();
    await peer.waitFor(() => peer.connected);
    client.send({ type: 'status', status: 'syncing', phase: 'clone', durationMs: 5 });
    client.send({ type: 'ready', durationMs: 9 });
    await peer.waitFor(() => peer.stored.length === 2);
    expect(client.outbox.size).toBe(2); // stored over there, but not acknowledged yet
    await peer.kill();
    client.send({ type: 'error', message: 'while away' });
    await peer.start();
    await peer.waitFor(() => peer.stored.length === 3);
    // Both unacknowledged messages came again; the peer dropped them by id.
    expect(peer.received.filter((m) => m.type === 'ready')).toHaveLength(2);
    expect(peer.stored.map((m) => m.type)).toEqual(['status', 'ready', 'error']);
    peer.ackNow();
    expect(await client.drain(2000)).toBe(true);
    expect(client.outbox.size).toBe(0);
  });
});
