import {
  AckFrame,
  ErrorFrame,
  PongFrame,
  PresenceUpdateFrame,
  SessionEvent as SessionEventSchema,
  TypingFrame,
  type ServerSignalFrame,
  type SessionEvent,
} from '@nightshift/protocol';
import type { Schema } from '../schema.js';

/** A frame from the server, read but not yet acted on. */
export type IncomingFrame =
  | { kind: 'event'; event: SessionEvent }
  | { kind: 'signal'; frame: ServerSignalFrame }
  | { kind: 'unreadable' };

const SIGNALS: Record<ServerSignalFrame['type'], Schema<ServerSignalFrame>> = {
  presence_update: PresenceUpdateFrame,
  typing: TypingFrame,
  ack: AckFrame,
  error: ErrorFrame,
  pong: PongFrame,
};

/** Reads one frame: timeline events are told apart from signals by their `seq` (docs/api.md). */
export function readFrame(data: unknown): IncomingFrame {
  let value: unknown;
  try {
    value = typeof data === 'string' ? JSON.parse(data) : undefined;
  } catch {
    return { kind: 'unreadable' };
  }
  if (typeof value !== 'object' || value === null) return { kind: 'unreadable' };
  if ('seq' in value) {
    const event = SessionEventSchema.safeParse(value);
    // The envelope is checked here; each type's data is read by whatever shows it.
    return event.success ? { kind: 'event', event: event.data as SessionEvent } : { kind: 'unreadable' };
  }
  const type = (value as { type?: unknown }).type;
  const schema = typeof type === 'string' ? SIGNALS[type as ServerSignalFrame['type']] : undefined;
  const signal = schema?.safeParse(value);
  return signal?.success ? { kind: 'signal', frame: signal.data } : { kind: 'unreadable' };
}

/** What to do with an event, given the last seq delivered. */
export type EventStep = 'deliver' | 'duplicate' | 'gap';

export function eventStep(lastSeq: number, seq: number): EventStep {
  if (seq <= lastSeq) return 'duplicate';
  // Seqs go up by exactly one: anything else means this connection lost events.
  return seq === lastSeq + 1 ? 'deliver' : 'gap';
}

/** How long to wait before reconnection attempt `failures` (0 = the first), spread by ±25 %. */
export function retryDelay(failures: number, delaysMs: readonly number[], random: number): number {
  const base = delaysMs[Math.min(failures, delaysMs.length - 1)] ?? 0;
  // Spread so that every client of a restarted server does not come back in the same instant.
  return base * (0.75 + random * 0.5);
}
