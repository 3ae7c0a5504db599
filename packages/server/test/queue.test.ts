import { describe, expect, it } from 'vitest';
import { decide, type QueueState } from '../src/sessions/queue.js';

const idle: QueueState = { status: 'active', running: null, queued: [] };

function ok(state: QueueState, command: Parameters<typeof decide>[1]) {
  const d = decide(state, command);
  if (!d.ok) throw new Error(`rejected: ${d.rejection.message}`);
  return d;
}

describe('queue rules', () => {
  it('starts the first prompt at once and queues the rest in order', () => {
    const a = ok(idle, { type: 'submit', messageId: 'a' });
    expect(a.position).toBe(0);
    expect(a.effects).toEqual([{ type: 'start', messageId: 'a' }]);
    const b = ok(a.state, { type: 'submit', messageId: 'b' });
    const c = ok(b.state, { type: 'submit', messageId: 'c' });
    expect([b.position, c.position]).toEqual([1, 2]);
    expect(c.state).toEqual({ status: 'active', running: 'a', queued: ['b', 'c'] });
    expect(b.effects).toEqual([]);
  });

  it('a first prompt makes a created session active', () => {
    const d = ok({ ...idle, status: 'created' }, { type: 'submit', messageId: 'a' });
    expect(d.effects[0]).toEqual({ type: 'status', status: 'active' });
    expect(d.state.status).toBe('active');
  });

  it('refuses prompts on an archived session', () => {
    const d = decide({ ...idle, status: 'archived' }, { type: 'submit', messageId: 'a' });
    expect(d.ok).toBe(false);
    expect(!d.ok && d.rejection.code).toBe('session_archived');
  });

  it('runs the next queued prompt when one finishes, FIFO', () => {
    const state: QueueState = { status: 'active', running: 'a', queued: ['b', 'c'] };
    const d = ok(state, { type: 'finished', messageId: 'a' });
    expect(d.state).toEqual({ status: 'active', running: 'b', queued: ['c'] });
    expect(d.effects).toEqual([{ type: 'start', messageId: 'b' }]);
  });

  it('ignores a finish for a prompt that is not the running one', () => {
    const state: QueueState = { status: 'active', running: 'b', queued: [] };
    expect(ok(state, { type: 'finished', messageId: 'a' }).effects).toEqual([]);
  });

  it('cancels only queued prompts', () => {
    const state: QueueState = { status: 'active', running: 'a', queued: ['b', 'c'] };
    const d = ok(state, { type: 'cancel', messageId: 'b' });
    expect(d.state.queued).toEqual(['c']);
    expect(d.effects).toEqual([{ type: 'cancel', messageId: 'b' }]);
    const running = decide(state, { type: 'cancel', messageId: 'a' });
    expect(!running.ok && running.rejection.code).toBe('not_queued');
  });

  it('stop aborts the running prompt and keeps the queue', () => {
    const state: QueueState = { status: 'active', running: 'a', queued: ['b'] };
    const d = ok(state, { type: 'stop', clearQueue: false });
    expect(d.effects).toEqual([{ type: 'abort', messageId: 'a' }]);
    expect(d.state.queued).toEqual(['b']);
  });

  it('stop with clearQueue also cancels every waiting prompt', () => {
    const state: QueueState = { status: 'active', running: 'a', queued: ['b', 'c'] };
    const d = ok(state, { type: 'stop', clearQueue: true });
    expect(d.effects).toEqual([
      { type: 'abort', messageId: 'a' },
      { type: 'cancel', messageId: 'b' },
      { type: 'cancel', messageId: 'c' },
    ]);
    expect(d.state.queued).toEqual([]);
  });

  it('archiving stops the running prompt, cancels the queue and releases the sandbox; nothing starts after', () => {
    const state: QueueState = { status: 'active', running: 'a', queued: ['b'] };
    const d = ok(state, { type: 'archive' });
    expect(d.effects).toEqual([
      { type: 'status', status: 'archived' },
      { type: 'abort', messageId: 'a' },
      { type: 'cancel', messageId: 'b' },
      { type: 'release-sandbox' },
    ]);
    expect(ok(d.state, { type: 'finished', messageId: 'a' }).effects).toEqual([]);
  });

  it('unarchive restores the earlier status and only applies to archived sessions', () => {
    const d = ok({ ...idle, status: 'archived' }, { type: 'unarchive', restoreTo: 'created' });
    expect(d.state.status).toBe('created');
    expect(decide(idle, { type: 'unarchive', restoreTo: 'active' }).ok).toBe(false);
  });
});
