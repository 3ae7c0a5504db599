import { afterEach, describe, expect, it } from 'vitest';
import type { PromptAccepted, Session, SessionEvent } from '@nightshift/protocol';
import {
  eventually,
  expectContiguous,
  makeRepo,
  startTestServer,
  TestClient,
  type TestServer,
} from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';

const ada = { name: 'Ada', email: 'ada@example.com' };
const bob = { name: 'Bob', email: 'bob@example.com' };

let server: TestServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stopAndClean();
  server = undefined;
});

async function setup(options: Parameters<typeof startTestServer>[0] = {}) {
  const runner = new ScriptedRunner();
  server = await startTestServer({ runner, model: 'test/model', ...options });
  const session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
  const connect = async (after?: number) => {
    const c = await TestClient.connect(server!, session.id, after);
    clients.push(c);
    return c;
  };
  return { runner, session, connect, server };
}

describe('WebSocket', () => {
  it('replays stored events then streams live ones with no gap and no duplicate, under load', async () => {
    const { runner, session, connect, server } = await setup();
    const first = (
      await server.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'go' })
    ).body;
    for (let i = 0; i < 500; i++) runner.emit(first.messageId, `d${i}`, `p${i % 3}`);
    // Connect while events keep coming, from several points in the history.
    const emitting = (async () => {
      for (let i = 0; i < 500; i++) {
        runner.emit(first.messageId, `e${i}`, `p${i % 3}`);
        if (i % 25 === 0) await new Promise((r) => setTimeout(r, 1));
      }
      runner.finish(first.messageId);
    })();
    const late = await Promise.all([connect(), connect(3), connect(100)]);
    await emitting;
    const stored = async () =>
      (await server.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events?limit=10000`))
        .body.events;
    await eventually(async () => (await stored()).some((e) => e.type === 'prompt_completed'));
    const all = await stored();
    const last = all[all.length - 1]!.seq;
    for (const [i, c] of late.entries()) {
      await c.waitFor(() => c.events().some((e) => e.seq === last));
      const from = [1, 4, 101][i]!;
      expectContiguous(c.events(), from);
      expect(c.events()).toEqual(all.filter((e) => e.seq >= from));
    }
    // Deltas arrive as deltas: together they spell exactly what was emitted, once.
    const text = all
      .filter((e) => e.type === 'sandbox_event' && e.data.kind === 'text' && e.data.partId === 'p0')
      .map((e) => (e.data as { delta: string }).delta)
      .join('');
    const expected = [
      ...Array.from({ length: 500 }, (_, i) => `d${i}`),
      ...Array.from({ length: 500 }, (_, i) => `e${i}`),
    ]
      .filter((_, i) => (i % 500) % 3 === 0)
      .join('');
    expect(text).toBe(expected);
  });

  it('accepts prompts over the socket with an ack, and answers ping', async () => {
    const { connect, runner } = await setup();
    const c = await connect();
    c.send({ type: 'ping' });
    c.send({ type: 'prompt', text: 'hello', author: ada, clientRequestId: 'abc' });
    await c.waitFor((f) => f.some((x) => x.type === 'ack'));
    await c.waitFor((f) => f.some((x) => x.type === 'pong'));
    const ack = c.frames.find((f) => f.type === 'ack')!;
    expect(ack).toEqual({ type: 'ack', clientRequestId: 'abc', messageId: expect.stringMatching(/^msg_/) });
    await c.waitFor(() => c.events().some((e) => e.type === 'prompt_started'));
    expect(runner.started[0]!.author).toEqual(ada);
  });

  it('answers malformed and invalid frames with error frames and keeps the socket open', async () => {
    const { connect } = await setup();
    const c = await connect();
    const bad: unknown[] = [
      'not json',
      '42',
      { type: 'nope' },
      { type: 'prompt' },
      { type: 'prompt', text: '', clientRequestId: 'x1' },
      { type: 'prompt', text: 'hi', author: { name: 'A', email: 'bad' }, clientRequestId: 'x2' },
      { type: 'cancel' },
      { type: 'cancel', messageId: 'msg_unknown' },
      { type: 'presence', user: ada, status: 'sleeping' },
      { type: 'stop', clearQueue: 1 },
    ];
    for (const frame of bad) c.send(frame);
    await c.waitFor((f) => f.filter((x) => x.type === 'error').length === bad.length);
    const errors = c.frames.filter((x) => x.type === 'error') as Array<{
      error: { message: string };
      clientRequestId?: string;
    }>;
    expect(errors.find((e) => e.clientRequestId === 'x2')!.error.message).toContain('author.email');
    expect(errors.find((e) => e.clientRequestId === 'x1')!.error.message).toContain('text');
    c.send({ type: 'ping' });
    await c.waitFor((f) => f.some((x) => x.type === 'pong'));
    expect(c.closed).toBeNull();
  });

  it('shows presence as people join, go idle and leave, and relays typing to others', async () => {
    const { connect } = await setup();
    const a = await connect();
    const b = await connect();
    const latestPresence = (c: TestClient) =>
      [...c.frames].reverse().find((f) => f.type === 'presence_update') as {
        participants: Array<{ user: { name: string }; status: string }>;
      };
    a.send({ type: 'presence', user: ada, status: 'active' });
    b.send({ type: 'presence', user: bob, status: 'active' });
    await a.waitFor(() => latestPresence(a)?.participants.length === 2);
    b.send({ type: 'typing' });
    await a.waitFor((f) => f.some((x) => x.type === 'typing'));
    expect(a.frames.find((x) => x.type === 'typing')).toEqual({ type: 'typing', user: bob });
    expect(b.frames.some((x) => x.type === 'typing')).toBe(false);
    b.send({ type: 'presence', user: bob, status: 'idle' });
    await a.waitFor(() =>
      latestPresence(a).participants.some((p) => p.user.name === 'Bob' && p.status === 'idle'),
    );
    b.close();
    await a.waitFor(() => latestPresence(a).participants.length === 1);
    expect(latestPresence(a).participants[0]!.user.name).toBe('Ada');
  });

  it('refuses an upgrade for an unknown session or a bad after', async () => {
    const { server, session } = await setup();
    for (const path of ['/api/sessions/ses_nope/ws', `/api/sessions/${session.id}/ws?after=-3`]) {
      const c = new TestClient(`${server.url.replace('http', 'ws')}${path}`);
      const status = await new Promise<number>((resolve) =>
        c.ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!)),
      );
      expect([404, 400]).toContain(status);
    }
  });

  it('disconnects a client that stops reading, without slowing the others', async () => {
    const { connect, runner, server, session } = await setup({ maxBufferedBytes: 256 * 1024 });
    const fast = await connect();
    const slow = await connect();
    slow.ws.pause(); // stops reading from the socket; the server's send buffer fills
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const a = (
      await server.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'go' })
    ).body;
    // More than loopback's kernel buffers can absorb, so the server's own buffer must fill.
    const chunk = 'x'.repeat(8000);
    for (let i = 0; i < 4000; i++) {
      runner.emit(a.messageId, chunk, `p${i}`);
      await new Promise((r) => setImmediate(r)); // the fast client reads between ticks
    }
    runner.finish(a.messageId);
    await fast.waitFor(() => fast.events().some((e) => e.type === 'prompt_completed'), 20_000);
    expectContiguous(fast.events());
    // The slow client was cut off: once it reads again it finds a prefix of the timeline and a
    // closed socket, and resuming from its last seq brings exactly the rest.
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    slow.ws.resume();
    await eventually(() => slow.closed !== null, 10_000);
    const got = slow.events();
    expectContiguous(got);
    expect(got.length).toBeLessThan(fast.events().length);
    const resumed = await connect(got[got.length - 1]?.seq ?? 0);
    await resumed.waitFor(() => resumed.events().some((e) => e.type === 'prompt_completed'), 20_000);
    expect([...got, ...resumed.events()]).toEqual(fast.events());
  });
});

describe('Server-Sent Events', () => {
  async function readSse(url: string, headers: Record<string, string>, until: (text: string) => boolean) {
    const controller = new AbortController();
    const res = await fetch(url, { headers, signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    return text;
  }

  it('streams events with ids, resumes after Last-Event-ID, and sends keep-alive comments', async () => {
    const { server, session, runner } = await setup({ sseKeepAliveMs: 100 });
    const a = (
      await server.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'go' })
    ).body;
    runner.emit(a.messageId, 'hi');
    runner.finish(a.messageId);
    const url = `${server.url}/api/sessions/${session.id}/events/stream`;
    const all = await readSse(url, {}, (t) => t.includes('event: prompt_completed'));
    const first = all.split('\n\n')[0]!.split('\n').sort();
    expect(first).toEqual([
      'data: ' +
        JSON.stringify(
          (await server.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events?limit=1`))
            .body.events[0],
        ),
      'event: session_status',
      'id: 1',
    ]);
    const ids = [...all.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));

    const resumed = await readSse(url, { 'last-event-id': '4' }, (t) =>
      t.includes('event: prompt_completed'),
    );
    expect([...resumed.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))[0]).toBe(5);
    const after = await readSse(`${url}?after=5`, {}, (t) => t.includes('event: prompt_completed'));
    expect([...after.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]))[0]).toBe(6);

    const idle = await readSse(`${url}?after=1000`, {}, (t) => t.includes(': keep-alive'));
    expect(idle).toContain(': keep-alive');
  });

  it('answers a bad Last-Event-ID with 400 and an unknown session with 404', async () => {
    const { server, session } = await setup();
    const bad = await fetch(`${server.url}/api/sessions/${session.id}/events/stream`, {
      headers: { 'last-event-id': 'x' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('Last-Event-ID');
    expect((await fetch(`${server.url}/api/sessions/ses_nope/events/stream`)).status).toBe(404);
  });
});
