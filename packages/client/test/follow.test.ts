import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ApiError, NightshiftClient, type ConnectionState } from '@nightshift/client';
import type { ServerSignalFrame, SessionEvent } from '@nightshift/protocol';
import {
  eventually,
  expectContiguous,
  makeRepo,
  startTestServer,
  tempDir,
} from '../../server/test/support/harness.js';
import { ScriptedRunner } from '../../server/test/support/scripted-runner.js';
import { eventStep, retryDelay } from '../src/follow/decide.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const grace = { name: 'Grace Hopper', email: 'grace@example.com' };

/** Everything one follower was told, in order. */
class Seen {
  readonly events: SessionEvent[] = [];
  readonly signals: ServerSignalFrame[] = [];
  readonly states: Array<{ state: ConnectionState; reason?: string }> = [];
  readonly options = {
    onEvent: (event: SessionEvent) => void this.events.push(event),
    onSignal: (frame: ServerSignalFrame) => void this.signals.push(frame),
    onState: (state: ConnectionState, reason?: string) => void this.states.push({ state, reason }),
    retryDelaysMs: [50, 100],
  };

  completed(): number {
    return this.events.filter((e) => e.type === 'prompt_completed').length;
  }

  state(): ConnectionState | undefined {
    return this.states.at(-1)?.state;
  }
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function serverWithSession(options: { port?: number; dataDir?: string } = {}) {
  const server = await startTestServer({
    runner: new ScriptedRunner({ autoComplete: true, deltas: ['Looking ', 'around.'] }),
    model: 'test/model',
    ...options,
  });
  const client = new NightshiftClient({ baseUrl: server.url, WebSocket });
  return { server, client };
}

describe('following a timeline', () => {
  it('replays, then delivers live events in order, and stops when asked', async () => {
    const { server, client } = await serverWithSession();
    cleanup.push(() => server.stopAndClean());
    const session = await client.createSession({ repo: makeRepo() });
    await client.prompt(session.id, { text: 'first', author: ada });
    await eventually(async () => (await client.messages(session.id))[0]?.status === 'completed');
    const stored = await client.events(session.id);

    const seen = new Seen();
    let stopAt = Infinity;
    const follow = client.follow(session.id, {
      ...seen.options,
      onEvent: (event) => {
        seen.events.push(event);
        return event.seq >= stopAt;
      },
    });
    await eventually(() => seen.events.length === stored.length);
    expect(seen.events).toEqual(stored);
    expect(seen.signals.map((s) => s.type)).toContain('presence_update');

    await client.prompt(session.id, { text: 'second', author: ada });
    await eventually(() => seen.completed() === 2);
    stopAt = seen.events.at(-1)!.seq + 1;
    await client.prompt(session.id, { text: 'third', author: ada });
    const last = await follow.done;
    expect(last).toBe(stopAt);
    expectContiguous(seen.events);
    expect(seen.events.at(-1)!.seq).toBe(stopAt);
    expect(seen.states.map((s) => s.state)).toEqual(['connecting', 'open', 'closed']);
  });

  it('starts after `after`, and close() ends it with the last seq delivered', async () => {
    const { server, client } = await serverWithSession();
    cleanup.push(() => server.stopAndClean());
    const session = await client.createSession({ repo: makeRepo() });
    await client.prompt(session.id, { text: 'first', author: ada });
    await eventually(async () => (await client.messages(session.id))[0]?.status === 'completed');
    const stored = await client.events(session.id);

    const seen = new Seen();
    const follow = client.follow(session.id, { ...seen.options, after: 3 });
    await eventually(() => seen.events.length === stored.length - 3);
    expect(seen.events).toEqual(stored.slice(3));
    follow.close();
    expect(await follow.done).toBe(stored.at(-1)!.seq);
    expect(seen.state()).toBe('closed');
  });

  it('resumes after the server drops the connection, with no gap and no duplicate', async () => {
    const dataDir = tempDir('ns-client-data-');
    const first = await serverWithSession({ dataDir });
    let closeFirst: (() => Promise<void>) | null = () => first.server.close();
    cleanup.push(() => closeFirst?.());
    const session = await first.client.createSession({ repo: makeRepo() });
    await first.client.prompt(session.id, { text: 'before the drop', author: ada });

    const seen = new Seen();
    const follow = first.client.follow(session.id, seen.options);
    cleanup.push(() => follow.close());
    await eventually(() => seen.completed() === 1);
    const before = seen.events.length;

    closeFirst = null;
    await first.server.close();
    await eventually(() => seen.state() === 'reconnecting');

    const second = await serverWithSession({ dataDir, port: first.server.port });
    cleanup.push(() => second.server.stopAndClean());
    await second.client.prompt(session.id, { text: 'after the drop', author: ada });
    await eventually(() => seen.completed() === 2);

    expect(seen.events.length).toBeGreaterThan(before);
    expectContiguous(seen.events);
    expect(seen.events).toEqual(await second.client.events(session.id));
    const states = seen.states.map((s) => s.state);
    expect(states.slice(0, 2)).toEqual(['connecting', 'open']);
    expect(states.slice(2).filter((s) => s === 'open')).toHaveLength(1);
    expect(states.at(-1)).toBe('open');
    expect(seen.states.find((s) => s.state === 'reconnecting')?.reason).toBeTruthy();
  });

  it('sends frames checked against the protocol, and hears others’ presence', async () => {
    const { server, client } = await serverWithSession();
    cleanup.push(() => server.stopAndClean());
    const session = await client.createSession({ repo: makeRepo() });
    const ours = new Seen();
    const theirs = new Seen();
    const mine = client.follow(session.id, ours.options);
    const other = client.follow(session.id, theirs.options);
    cleanup.push(
      () => mine.close(),
      () => other.close(),
    );
    await eventually(() => ours.state() === 'open' && theirs.state() === 'open');

    expect(mine.send({ type: 'presence', user: ada, status: 'active' })).toBe(true);
    expect(other.send({ type: 'presence', user: grace, status: 'idle' })).toBe(true);
    await eventually(() =>
      theirs.signals.some(
        (s) => s.type === 'presence_update' && s.participants.some((p) => p.user.email === ada.email),
      ),
    );
    expect(() =>
      mine.send({ type: 'presence', user: { name: 'Ada', email: 'nope' }, status: 'active' }),
    ).toThrow(expect.objectContaining({ kind: 'invalid_input', field: 'user.email' }));
  });

  it('ends with the server’s refusal when the session does not exist', async () => {
    const { server, client } = await serverWithSession();
    cleanup.push(() => server.stopAndClean());
    const seen = new Seen();
    const error = await client.follow('ses_nope', seen.options).done.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ kind: 'refused', status: 404, code: 'not_found' });
    expect(seen.state()).toBe('closed');
    expect(seen.events).toEqual([]);
  });
});

describe('what the follower decides (pure)', () => {
  it('delivers the next seq, drops what it has delivered, and calls anything else a gap', () => {
    expect(eventStep(4, 5)).toBe('deliver');
    expect(eventStep(4, 4)).toBe('duplicate');
    expect(eventStep(4, 2)).toBe('duplicate');
    expect(eventStep(4, 7)).toBe('gap');
  });

  it('backs off along its delays, repeating the last, spread by a quarter either way', () => {
    const delays = [200, 500, 1000];
    expect(retryDelay(0, delays, 0.5)).toBe(200);
    expect(retryDelay(1, delays, 0)).toBe(375);
    expect(retryDelay(2, delays, 1)).toBe(1250);
    expect(retryDelay(9, delays, 0.5)).toBe(1000);
  });
});
