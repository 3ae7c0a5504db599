import { EventData, type EventType, type SessionEvent } from '@nightshift/protocol';
import { terminalSafe } from './terminal-text.js';

/**
 * Checks an event's data against its type's schema; an event we cannot read comes back as null.
 * Its strings come back safe to print (`terminal-text.ts`): everything rendered passes here.
 */
export function parseEvent(event: {
  seq: number;
  type: string;
  at: string;
  data: unknown;
}): SessionEvent | null {
  const schema = EventData[event.type as EventType];
  if (!schema) return null;
  const data = schema.safeParse(event.data);
  if (!data.success) return null;
  return { seq: event.seq, at: event.at, type: event.type, data: terminalSafe(data.data) } as SessionEvent;
}
