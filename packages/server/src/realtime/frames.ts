import type { SessionEvent } from '@nightshift/protocol';

interface Encoded {
  text: string;
  bytes?: Buffer;
}

const cache = new WeakMap<SessionEvent, Encoded>();

function encoded(event: SessionEvent): Encoded {
  let frame = cache.get(event);
  if (frame === undefined) {
    frame = { text: JSON.stringify(event) };
    cache.set(event, frame);
  }
  return frame;
}

/** An event's JSON, computed once however many clients it goes to. */
export function eventFrame(event: SessionEvent): string {
  return encoded(event).text;
}

/**
 * The same JSON as UTF-8 bytes, also encoded once: a string given to a socket is measured and
 * encoded again for every client, a Buffer is written as it is.
 */
export function eventFrameBytes(event: SessionEvent): Buffer {
  const frame = encoded(event);
  return (frame.bytes ??= Buffer.from(frame.text, 'utf8'));
}
