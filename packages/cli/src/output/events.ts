import { EventData, type EventType, type SessionEvent } from '@nightshift/protocol';

/** Checks an event's data against its type's schema; an event we cannot read comes back as null. */
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
  return { seq: event.seq, at: event.at, type: event.type, data: data.data } as SessionEvent;
}
