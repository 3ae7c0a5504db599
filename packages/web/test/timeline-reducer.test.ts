import { describe, expect, it } from 'vitest';
import type { EventInput, SessionEvent } from '@nightshift/protocol';
import {
  applyEvents,
  initialTimeline,
  promptOf,
  reduceTimeline,
  type TimelineState,
} from '../src/timeline/reducer.js';
import { PVec } from '../src/timeline/pvec.js';

const author = { name: 'Ada', email: 'ada@example.com' };

function events(...inputs: EventInput[]): SessionEvent[] {
  return inputs.map(
    (e, i) =>
      ({ ...e, seq: i + 1, at: new Date(1_700_000_000_000 + i * 1000).toISOString() }) as SessionEvent,
  );
}

const text = (messageId: string, partId: string, delta: string): EventInput => ({
  type: 'sandbox_event',
  data: { messageId, kind: 'text', partId, delta },
});

const script = events(
  { type: 'prompt_queued', data: { messageId: 'm1', author, position: 0 } },
  { type: 'prompt_started', data: { messageId: 'm1' } },
  text('m1', 'p1', 'Hello'),
  text('m1', 'p1', ', world'),
  {
    type: 'sandbox_event',
    data: {
      messageId: 'm1',
      kind: 'tool',
      callId: 'c1',
      tool: 'bash',
      status: 'pending',
      input: { command: 'ls' },
    },
  },
  {
    type: 'sandbox_event',
    data: {
      messageId: 'm1',
      kind: 'tool',
      callId: 'c1',
      tool: 'bash',
      status: 'completed',
      output: 'README.md',
    },
  },
  {
    type: 'sandbox_event',
    data: { messageId: 'm1', kind: 'step', tokens: { input: 10, output: 5 }, cost: 0.01 },
  },
  { type: 'prompt_queued', data: { messageId: 'm2', author, position: 1 } },
  { type: 'prompt_completed', data: { messageId: 'm1', outcome: 'completed' } },
);

function reduceAll(list: readonly SessionEvent[], state: TimelineState = initialTimeline()): TimelineState {
  return list.reduce(reduceTimeline, state);
}

/** The observable part of a state, for comparing reductions. */
function view(s: TimelineState) {
  return {
    seq: s.seq,
    held: [...s.held.keys()],
    rows: s.rows.toArray(),
    queued: s.queued,
    pending: [...s.pending.values()],
    running: s.running,
    totals: s.totals,
  };
}

describe('timeline reducer', () => {
  it('builds rows: prompts, coalesced text, tool calls updated in place, steps, outcomes', () => {
    const s = reduceAll(script);
    expect(s.seq).toBe(9);
    const rows = s.rows.toArray();
    // m2, sent while m1 ran, waits off the timeline until it starts.
    expect(rows.map((r) => r.kind)).toEqual(['prompt', 'text', 'tool', 'step', 'outcome']);
    expect(promptOf(s, 'm2')).toMatchObject({ status: 'queued' });
    expect(rows[0]).toMatchObject({ kind: 'prompt', messageId: 'm1', status: 'completed', author });
    expect(rows[1]).toMatchObject({ kind: 'text', text: 'Hello, world' });
    // The completed state keeps the input sent with the pending state.
    expect(rows[2]).toMatchObject({
      kind: 'tool',
      status: 'completed',
      input: { command: 'ls' },
      output: 'README.md',
    });
    expect(s.totals).toEqual({ cost: 0.01, inputTokens: 10, outputTokens: 5 });
    expect(s.queued).toEqual(['m2']);
    expect(s.running).toBeNull();
  });

  it('keeps a prompt’s text from its event, and leaves it to the messages list when the event has none', () => {
    const s = reduceAll(
      events(
        { type: 'prompt_queued', data: { messageId: 'm1', author, position: 0, text: 'Fix the build' } },
        { type: 'prompt_queued', data: { messageId: 'm2', author, position: 1 } },
      ),
    );
    expect(promptOf(s, 'm1')?.text).toBe('Fix the build');
    expect(promptOf(s, 'm2')).toBeDefined();
    expect(promptOf(s, 'm2')).not.toHaveProperty('text');
  });

  it('ignores duplicate frames (replay after reconnect)', () => {
    const once = reduceAll(script);
    const twice = reduceAll([...script, ...script.slice(2), ...script]);
    expect(view(twice)).toEqual(view(once));
    // A duplicate does not even produce a new state object.
    expect(reduceTimeline(once, script[3]!)).toBe(once);
  });

  it('holds frames after a gap and applies them once the gap is filled', () => {
    const [e1, e2, e3, e4, ...rest] = script;
    let s = reduceAll([e1!, e2!, e4!]);
    expect(s.seq).toBe(2);
    expect([...s.held.keys()]).toEqual([4]);
    expect(s.rows.toArray().map((r) => r.kind)).toEqual(['prompt']);
    s = reduceTimeline(s, e3!);
    expect(s.seq).toBe(4);
    expect(s.held.size).toBe(0);
    s = reduceAll(rest, s);
    expect(view(s)).toEqual(view(reduceAll(script)));
  });

  it('converges on the same state for any arrival order, with duplicates', () => {
    const expected = view(reduceAll(script));
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const shuffled = [...script, ...script.filter(() => random() < 0.3)].sort(() => random() - 0.5);
      expect(view(reduceAll(shuffled))).toEqual(expected);
      expect(view(applyEvents(initialTimeline(), shuffled))).toEqual(expected);
    }
  });

  it('is pure: earlier states are unchanged and can be reduced again (forks)', () => {
    const mid = reduceAll(script.slice(0, 3));
    const before = view(mid);
    const a = reduceAll(script.slice(3), mid);
    expect(view(mid)).toEqual(before);
    // A fork from `mid` with different events must not see the first branch's rows.
    const other = {
      ...script[3]!,
      data: { messageId: 'm1', kind: 'text', partId: 'p9', delta: 'fork' },
    } as SessionEvent;
    const b = reduceTimeline(mid, other);
    expect(b.rows.toArray().map((r) => r.key)).toEqual(['p:m1', 't:m1:p1', 't:m1:p9']);
    expect(view(a)).toEqual(view(reduceAll(script)));
    // And continuing the first branch still works after the fork.
    const a2 = reduceTimeline(a, { ...script[2]!, seq: 10 });
    expect((a2.rows.get(1) as { text: string }).text).toBe('Hello, worldHello');
  });

  it('tracks queue, cancel and failure with its error', () => {
    const s = reduceAll(
      events(
        { type: 'prompt_queued', data: { messageId: 'a', author, position: 0 } },
        { type: 'prompt_started', data: { messageId: 'a' } },
        { type: 'prompt_queued', data: { messageId: 'b', author, position: 1 } },
        { type: 'prompt_queued', data: { messageId: 'c', author, position: 2 } },
        { type: 'prompt_cancelled', data: { messageId: 'b' } },
        {
          type: 'prompt_completed',
          data: { messageId: 'a', outcome: 'failed', error: 'no model configured: set NIGHTSHIFT_MODEL' },
        },
      ),
    );
    expect(s.queued).toEqual(['c']);
    expect(s.running).toBeNull();
    const rows = s.rows.toArray();
    // b, cancelled while a ran, follows a's outcome; c still waits for its turn.
    expect(rows.map((r) => r.key)).toEqual(['p:a', expect.stringMatching(/^o:a:/), 'p:b']);
    expect(rows[1]).toMatchObject({
      kind: 'outcome',
      outcome: 'failed',
      error: expect.stringContaining('NIGHTSHIFT_MODEL'),
    });
    expect(rows[2]).toMatchObject({ status: 'cancelled' });
    expect(promptOf(s, 'c')).toMatchObject({ status: 'queued' });
  });

  it('shows a prompt sent while another runs only when it starts, below the earlier work', () => {
    const s = reduceAll(
      events(
        { type: 'prompt_queued', data: { messageId: 'a', author, position: 0, text: 'First' } },
        { type: 'prompt_started', data: { messageId: 'a' } },
        text('a', 'p1', 'Working on the first'),
        { type: 'prompt_queued', data: { messageId: 'b', author, position: 1, text: 'Second' } },
        text('a', 'p1', ' and done.'),
        { type: 'prompt_completed', data: { messageId: 'a', outcome: 'completed' } },
        { type: 'prompt_started', data: { messageId: 'b' } },
        text('b', 'p2', 'Now the second.'),
      ),
    );
    expect(s.rows.toArray().map((r) => r.key)).toEqual([
      'p:a',
      't:a:p1',
      expect.stringMatching(/^o:a:/),
      'p:b',
      't:b:p2',
    ]);
    expect(promptOf(s, 'b')).toMatchObject({ status: 'running', text: 'Second' });
    expect(s.pending.size).toBe(0);
  });

  it('knows since when the running prompt has run', () => {
    const list = events(
      { type: 'prompt_queued', data: { messageId: 'a', author, position: 0 } },
      { type: 'prompt_started', data: { messageId: 'a' } },
      text('a', 'p1', 'Working'),
      { type: 'prompt_completed', data: { messageId: 'a', outcome: 'completed' } },
    );
    expect(reduceAll(list.slice(0, 1)).runningSince).toBeNull();
    expect(reduceAll(list.slice(0, 3)).runningSince).toBe(list[1]!.at);
    expect(reduceAll(list).runningSince).toBeNull();
  });

  it('puts a prompt cancelled while nothing runs on the timeline at once', () => {
    const s = reduceAll(
      events(
        { type: 'prompt_queued', data: { messageId: 'a', author, position: 0 } },
        { type: 'prompt_started', data: { messageId: 'a' } },
        { type: 'prompt_queued', data: { messageId: 'b', author, position: 1 } },
        { type: 'prompt_queued', data: { messageId: 'c', author, position: 2 } },
        { type: 'prompt_completed', data: { messageId: 'a', outcome: 'stopped' } },
        { type: 'prompt_cancelled', data: { messageId: 'c' } },
      ),
    );
    expect(s.rows.toArray().map((r) => r.key)).toEqual(['p:a', expect.stringMatching(/^o:a:/), 'p:c']);
    expect([...s.pending.keys()]).toEqual(['b']);
  });

  it('follows the sandbox through its phases', () => {
    const list = events(
      { type: 'sandbox_spawning', data: { mode: 'fresh' } },
      { type: 'sandbox_status', data: { status: 'syncing', phase: 'clone', durationMs: 120 } },
      { type: 'sandbox_status', data: { status: 'setup', phase: 'setup.sh', durationMs: 900 } },
    );
    let s = reduceAll(list);
    expect(s.sandbox).toMatchObject({
      status: 'setup',
      phase: 'setup.sh',
      phaseMs: 900,
      startingSince: list[0]!.at,
    });
    s = reduceTimeline(s, { seq: 4, at: list[2]!.at, type: 'sandbox_ready', data: { durationMs: 1500 } });
    expect(s.sandbox.status).toBe('ready');
    expect(s.rows.get(0)).toMatchObject({
      kind: 'sandbox',
      mode: 'fresh',
      readyMs: 1500,
      phases: [{ phase: 'clone' }, { phase: 'setup.sh' }],
    });
  });

  it('applies 20,000 events quickly and streams deltas without copying the timeline', () => {
    const many: EventInput[] = [];
    for (let m = 0; m < 1000; m++) {
      many.push({ type: 'prompt_queued', data: { messageId: `m${m}`, author, position: 0 } });
      for (let k = 0; k < 18; k++) many.push(text(`m${m}`, `p${k % 3}`, `word${k} `));
      many.push({ type: 'prompt_completed', data: { messageId: `m${m}`, outcome: 'completed' } });
    }
    const list = events(...many);
    const started = performance.now();
    const s = applyEvents(initialTimeline(), list);
    expect(s.seq).toBe(20_000);
    expect(performance.now() - started).toBeLessThan(1000);
    // One delta on a long timeline: the untouched rows are shared, not copied.
    const next = reduceTimeline(s, {
      ...list[1]!,
      seq: 20_001,
      data: { messageId: 'm999', kind: 'text', partId: 'p0', delta: '!' },
    } as SessionEvent);
    expect(next.rows.get(0)).toBe(s.rows.get(0));
    expect(next.rows.size).toBe(s.rows.size);
  });
});

describe('persistent vector', () => {
  it('push, get and set keep older versions intact', () => {
    let v = PVec.empty<number>();
    const versions: PVec<number>[] = [];
    for (let i = 0; i < 3000; i++) {
      v = v.push(i);
      if (i % 500 === 0) versions.push(v);
    }
    const changed = v.set(1234, -1);
    expect(v.get(1234)).toBe(1234);
    expect(changed.get(1234)).toBe(-1);
    expect(changed.get(2999)).toBe(2999);
    expect(versions[1]!.size).toBe(501);
    expect(versions[1]!.get(501)).toBeUndefined();
    expect(v.slice(1030, 1034)).toEqual([1030, 1031, 1032, 1033]);
  });
});
