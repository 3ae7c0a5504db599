import type { SessionEvent } from '@nightshift/protocol';

const cache = new WeakMap<SessionEvent, string>();

/** An event's JSON, computed once however many clients it goes to. */
export function eventFrame(event: SessionEvent): string {
  let frame = cache.get(event);
  if (frame === undefined) {
    frame = JSON.stringify(event);
    cache.set(event, frame);
  }
  return frame;
}
