import { describe, expect, it } from 'vitest';
import { TurnTracker, type OpenCodeEvent } from '../src/opencode/index.js';

const S = 'ses_1';
const status = (type: string, extra: Record<string, unknown> = {}, sessionID = S): OpenCodeEvent => ({
  type: 'session.status',
  properties: { sessionID, status: { type, ...extra } },
});
const idle: OpenCodeEvent = { type: 'session.idle', properties: { sessionID: S } };
const error = (name: string, message?: string): OpenCodeEvent => ({
  type: 'session.error',
  properties: { sessionID: S, error: { name, data: message ? { message } : {} } },
});

const run = (tracker: TurnTracker, events: OpenCodeEvent[]) => events.map((e) => tracker.observe(e));

describe('TurnTracker', () => {
  it('completes when the session is idle again after being busy', () => {
    const t = new TurnTracker(S, 3);
    expect(t.observe(idle)).toEqual({}); // idle before the turn started says nothing
    expect(t.observe(status('busy'))).toEqual({});
    expect(t.observe(status('idle'))).toEqual({ end: { outcome: 'completed' } });
  });

  it("fails with the provider's message", () => {
    const t = new TurnTracker(S, 3);
    const out = run(t, [
      status('busy'),
      error('APIError', 'quota exceeded'),
      error('UnknownError', 'later noise'),
      idle,
    ]);
    expect(out.at(-1)).toEqual({ end: { outcome: 'failed', error: 'quota exceeded' } });
  });

  it('ignores errors from before the turn and from other sessions', () => {
    const t = new TurnTracker(S, 3);
    const other: OpenCodeEvent = {
      type: 'session.error',
      properties: { sessionID: 'ses_2', error: { name: 'APIError', data: { message: 'x' } } },
    };
    const out = run(t, [
      error('UnknownError', 'stale'),
      status('busy'),
      other,
      status('idle', {}, 'ses_2'),
      idle,
    ]);
    expect(out.at(-1)).toEqual({ end: { outcome: 'completed' } });
  });

  it('ends as stopped when we asked for it, despite the abort error', () => {
    const t = new TurnTracker(S, 3);
    t.observe(status('busy'));
    t.requestStop();
    expect(run(t, [error('MessageAbortedError', 'Aborted'), idle]).at(-1)).toEqual({
      end: { outcome: 'stopped' },
    });
  });

  it('asks to abort once the provider has been retried too often, then fails with its message', () => {
    const t = new TurnTracker(S, 2);
    t.observe(status('busy'));
    expect(t.observe(status('retry', { attempt: 1, message: 'overloaded', next: 0 }))).toEqual({});
    expect(t.observe(status('retry', { attempt: 2, message: 'overloaded', next: 0 }))).toEqual({});
    expect(t.observe(status('retry', { attempt: 3, message: 'overloaded', next: 0 }))).toEqual({
      abort: 'overloaded',
    });
    expect(run(t, [error('MessageAbortedError'), idle]).at(-1)).toEqual({
      end: { outcome: 'failed', error: 'overloaded' },
    });
  });

  it('uses polled statuses the same way and keeps the first ending', () => {
    const t = new TurnTracker(S, 3);
    expect(t.status(undefined)).toEqual({});
    expect(t.status('busy')).toEqual({});
    expect(t.status(undefined)).toEqual({ end: { outcome: 'completed' } });
    expect(t.forceEnd({ outcome: 'failed', error: 'late' })).toEqual({ outcome: 'completed' });
  });
});
