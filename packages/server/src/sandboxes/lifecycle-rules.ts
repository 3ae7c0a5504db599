/**
 * The control plane's rules for a sandbox's life, apart from their effects: when a silent one is
 * taken for dead, when an idle one is released, when a start has taken too long, what an exit
 * means, and what to do with a prompt a reconnecting sandbox was running. Nothing here touches a
 * clock, a timer or a process: the time is an argument. `sandbox-runner.ts` and
 * `live-sandbox.ts` carry the verdicts out.
 */
import type { EventInput } from '@nightshift/protocol';

export interface LifecycleLimits {
  /** A sandbox that says nothing for this long is taken for dead. */
  heartbeatStaleMs: number;
  /** A sandbox with no prompt for this long is released. */
  idleMs: number;
  /** Longest a start (clone, setup.sh, start.sh, OpenCode) may take. */
  startTimeoutMs: number;
}

/** starting → ready when the supervisor says so (or an adopted one says hello); → dead once, for good. */
export type SandboxPhase = 'starting' | 'ready' | 'dead';

/** What the health monitor knows about one sandbox when it looks. */
export interface SandboxVitals {
  phase: SandboxPhase;
  /** Started by an earlier control-plane process: it was past its start when we lost sight of it. */
  adopted: boolean;
  /** When its bridge first connected to this process; null until then. */
  connectedAt: number | null;
  /** When it last said anything. */
  lastHeard: number;
  /** Since when it has had nothing to do; undefined while a prompt holds it (or is about to). */
  idleSince: number | undefined;
  runningMessageId: string | null;
}

export type HealthVerdict = { kind: 'keep' } | { kind: 'end'; reason: string } | { kind: 'release' };

/** How often the monitor looks: several times per stale timeout, and at least every 5 s. */
export function monitorIntervalMs(limits: Pick<LifecycleLimits, 'heartbeatStaleMs'>): number {
  return Math.min(5000, limits.heartbeatStaleMs / 3);
}

/** Silence ends a sandbox before idleness releases it: a dead sandbox cannot be released politely. */
export function checkHealth(vitals: SandboxVitals, now: number, limits: LifecycleLimits): HealthVerdict {
  if (vitals.phase === 'dead') return { kind: 'keep' };
  // Heartbeats start with the bridge; until a fresh sandbox first connects (booting the
  // supervisor on a busy host takes a while), the start timeout is what bounds it.
  const heartbeating = vitals.adopted || vitals.connectedAt !== null;
  if (heartbeating && now - vitals.lastHeard > limits.heartbeatStaleMs) {
    return {
      kind: 'end',
      reason: `the sandbox stopped answering for ${Math.round(limits.heartbeatStaleMs / 1000)} s`,
    };
  }
  if (
    vitals.idleSince !== undefined &&
    vitals.runningMessageId === null &&
    now - vitals.idleSince > limits.idleMs
  ) {
    return { kind: 'release' };
  }
  return { kind: 'keep' };
}

export type StartVerdict =
  /** Ready or dead: its start has its answer, the deadline no longer matters. */
  { kind: 'settled' } | { kind: 'wait'; ms: number } | { kind: 'overdue'; error: string };

/** A start is overdue the moment its timeout has passed since the sandbox's process began. */
export function checkStart(
  start: { phase: SandboxPhase; startedAt: number },
  now: number,
  limits: Pick<LifecycleLimits, 'startTimeoutMs'>,
): StartVerdict {
  if (start.phase !== 'starting') return { kind: 'settled' };
  const left = start.startedAt + limits.startTimeoutMs - now;
  if (left > 0) return { kind: 'wait', ms: left };
  return {
    kind: 'overdue',
    error: `the sandbox did not become ready within ${Math.round(limits.startTimeoutMs / 1000)} s`,
  };
}

/** The reason a sandbox's process ended, as the timeline and the failed prompt tell it. */
export function exitReason(exit: { code: number | null; signal: string | null }, output: string): string {
  const how = exit.signal ? `was killed (${exit.signal})` : `exited with code ${exit.code ?? 'unknown'}`;
  const tail = output.trim();
  return `the sandbox ${how}${tail ? `; its last output:\n${tail.slice(-1500)}` : ''}`;
}

/** What the timeline says when a sandbox ends: a release is expected, anything else is an error. */
export function deathEvent(reason: string, expected: boolean): EventInput {
  return expected
    ? { type: 'sandbox_status', data: { status: 'stopped', phase: 'released' } }
    : { type: 'sandbox_error', data: { message: reason } };
}

/** How long a result finished while the control plane was away may take to be re-sent after hello. */
export const RESENT_RESULT_GRACE_MS = 3000;

export type ReattachVerdict =
  | { kind: 'end'; reason: string }
  /** Still running it: its result comes when it ends. */
  | { kind: 'follow' }
  /** Not running it any more: a result it finished meanwhile is re-sent from its outbox, or never comes. */
  | { kind: 'collect'; graceMs: number };

/**
 * After a control-plane restart, a prompt is followed only in a sandbox that reconnected (within
 * a heartbeat timeout) and is still running it.
 */
export function afterReconnect(
  hello: { said: boolean; runningMessageId: string | null | undefined },
  messageId: string,
): ReattachVerdict {
  if (!hello.said)
    return { kind: 'end', reason: 'the sandbox did not reconnect after the control plane restarted' };
  if (hello.runningMessageId === messageId) return { kind: 'follow' };
  return { kind: 'collect', graceMs: RESENT_RESULT_GRACE_MS };
}
