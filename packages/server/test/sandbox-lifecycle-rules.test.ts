/**
 * The control plane's rules for a sandbox's life, each at its boundary. Times are plain numbers:
 * no sandbox, process or timer is involved.
 */
import { describe, expect, it } from 'vitest';
import {
  afterReconnect,
  checkHealth,
  checkStart,
  deathEvent,
  exitReason,
  monitorIntervalMs,
  type SandboxVitals,
} from '../src/sandboxes/lifecycle-rules.js';

const limits = { heartbeatStaleMs: 30_000, idleMs: 600_000, startTimeoutMs: 900_000 };
const T = 1_000_000;

function vitals(overrides: Partial<SandboxVitals> = {}): SandboxVitals {
  return {
    phase: 'ready',
    adopted: false,
    connectedAt: T,
    lastHeard: T,
    idleSince: undefined,
    runningMessageId: null,
    ...overrides,
  };
}

describe('a silent sandbox', () => {
  it('is kept up to the stale timeout and ended one millisecond after, saying for how long', () => {
    expect(checkHealth(vitals(), T + 30_000, limits)).toEqual({ kind: 'keep' });
    expect(checkHealth(vitals(), T + 30_001, limits)).toEqual({
      kind: 'end',
      reason: 'the sandbox stopped answering for 30 s',
    });
  });

  it('is not judged by heartbeats before its bridge first connects (the start timeout bounds that)', () => {
    const booting = vitals({ phase: 'starting', connectedAt: null });
    expect(checkHealth(booting, T + 10 * 30_000, limits)).toEqual({ kind: 'keep' });
  });

  it('is judged by heartbeats at once when adopted: it was connected to the previous process', () => {
    const adopted = vitals({ phase: 'starting', adopted: true, connectedAt: null });
    expect(checkHealth(adopted, T + 30_001, limits).kind).toBe('end');
  });

  it('is ended rather than released when it is both silent and idle', () => {
    const both = vitals({ idleSince: T - 600_001 });
    expect(checkHealth(both, T + 30_001, limits).kind).toBe('end');
  });

  it('is left alone once dead', () => {
    expect(checkHealth(vitals({ phase: 'dead' }), T + 10 * 30_000, limits)).toEqual({ kind: 'keep' });
  });
});

describe('an idle sandbox', () => {
  it('is kept up to the idle timeout and released one millisecond after', () => {
    const idle = vitals({ idleSince: T });
    expect(checkHealth({ ...idle, lastHeard: T + 600_000 }, T + 600_000, limits)).toEqual({ kind: 'keep' });
    expect(checkHealth({ ...idle, lastHeard: T + 600_001 }, T + 600_001, limits)).toEqual({
      kind: 'release',
    });
  });

  it('is not released while a prompt runs in it, nor while one holds it (no idle clock)', () => {
    const now = T + 600_001;
    expect(
      checkHealth(vitals({ idleSince: T, runningMessageId: 'msg_1', lastHeard: now }), now, limits),
    ).toEqual({ kind: 'keep' });
    expect(checkHealth(vitals({ idleSince: undefined, lastHeard: now }), now, limits)).toEqual({
      kind: 'keep',
    });
  });
});

describe('a slow start', () => {
  const start = { phase: 'starting' as const, startedAt: T };

  it('waits for what is left of the timeout, and is overdue the moment it has passed', () => {
    expect(checkStart(start, T, limits)).toEqual({ kind: 'wait', ms: 900_000 });
    expect(checkStart(start, T + 899_999, limits)).toEqual({ kind: 'wait', ms: 1 });
    expect(checkStart(start, T + 900_000, limits)).toEqual({
      kind: 'overdue',
      error: 'the sandbox did not become ready within 900 s',
    });
  });

  it('no longer matters once the sandbox is ready or dead', () => {
    expect(checkStart({ ...start, phase: 'ready' }, T + 900_000, limits)).toEqual({ kind: 'settled' });
    expect(checkStart({ ...start, phase: 'dead' }, T + 900_000, limits)).toEqual({ kind: 'settled' });
  });
});

describe('a sandbox that ended', () => {
  it('is reported with how its process ended and the end of its output', () => {
    expect(exitReason({ code: 3, signal: null }, '')).toBe('the sandbox exited with code 3');
    expect(exitReason({ code: null, signal: 'SIGKILL' }, '  \n')).toBe('the sandbox was killed (SIGKILL)');
    expect(exitReason({ code: null, signal: null }, 'clone failed\n')).toBe(
      'the sandbox exited with code unknown; its last output:\nclone failed',
    );
    const long = `${'a'.repeat(2000)}THE END`;
    const reason = exitReason({ code: 1, signal: null }, long);
    expect(reason.endsWith('THE END')).toBe(true);
    expect(reason.length).toBe('the sandbox exited with code 1; its last output:\n'.length + 1500);
  });

  it('is an error on the timeline, unless it was released', () => {
    expect(deathEvent('the sandbox exited with code 3', false)).toEqual({
      type: 'sandbox_error',
      data: { message: 'the sandbox exited with code 3' },
    });
    expect(deathEvent('the sandbox was released', true)).toEqual({
      type: 'sandbox_status',
      data: { status: 'stopped', phase: 'released' },
    });
  });
});

describe('a prompt after the control plane restarted', () => {
  it('is given up on, and its sandbox ended, when the sandbox did not reconnect', () => {
    expect(afterReconnect({ said: false, runningMessageId: undefined }, 'msg_1')).toEqual({
      kind: 'end',
      reason: 'the sandbox did not reconnect after the control plane restarted',
    });
  });

  it('is followed when the sandbox says it is still running it', () => {
    expect(afterReconnect({ said: true, runningMessageId: 'msg_1' }, 'msg_1')).toEqual({ kind: 'follow' });
  });

  it('waits a little for a re-sent result when the sandbox runs something else or nothing', () => {
    for (const running of [null, 'msg_2'])
      expect(afterReconnect({ said: true, runningMessageId: running }, 'msg_1')).toEqual({
        kind: 'collect',
        graceMs: 3000,
      });
  });
});

describe('the health monitor', () => {
  it('looks several times per stale timeout, and at least every five seconds', () => {
    expect(monitorIntervalMs({ heartbeatStaleMs: 3000 })).toBe(1000);
    expect(monitorIntervalMs({ heartbeatStaleMs: 30_000 })).toBe(5000);
  });
});
