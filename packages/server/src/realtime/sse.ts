import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { SessionEvent } from '@nightshift/protocol';
import type { RealtimeHub } from './hub.js';
import { TimelineFollower, type TimelinePages } from './follower.js';
import { eventFrame } from './frames.js';

export interface SseOptions {
  keepAliveMs: number;
  /** Events a client may have waiting before it is dropped as too slow. */
  maxQueued: number;
}

/**
 * The timeline as Server-Sent Events. Writes are awaited one at a time, so a slow reader only
 * grows its own bounded queue; past the bound the stream ends and the client resumes with
 * Last-Event-ID, which every EventSource sends by itself.
 */
export function streamTimeline(
  c: Context,
  sessionId: string,
  after: number,
  timeline: TimelinePages,
  hub: RealtimeHub,
  options: SseOptions,
): Response {
  return streamSSE(c, async (stream) => {
    const queue: SessionEvent[] = [];
    let wake: (() => void) | null = null;
    let done = false;
    const finish = () => {
      done = true;
      wake?.();
    };
    const follower = new TimelineFollower(sessionId, timeline, hub, after, {
      send: (batch) => {
        queue.push(...batch);
        wake?.();
        return queue.length <= options.maxQueued;
      },
      ready: async () => {
        while (!done && queue.length > options.maxQueued / 4) await new Promise((r) => setTimeout(r, 10));
      },
      overflow: finish,
      closed: finish,
    });
    stream.onAbort(() => {
      follower.stop();
      finish();
    });
    const keepAlive = setInterval(() => {
      void stream.write(': keep-alive\n\n').catch(finish);
    }, options.keepAliveMs);
    void follower.start().catch(finish);
    try {
      while (!done) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = null;
          continue;
        }
        await stream.writeSSE({ id: String(next.seq), event: next.type, data: eventFrame(next) });
      }
    } finally {
      clearInterval(keepAlive);
      follower.stop();
    }
  });
}
