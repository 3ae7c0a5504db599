/**
 * The control plane's end of the bridge's delivery: in order, each id once, nothing before there
 * is a timeline, and an acknowledgement only for what is stored.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { BridgeInbox, type CarriedUp } from '../src/sandboxes/bridge-inbox.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks run (no timer involved). */
const settle = () => new Promise<void>((r) => setImmediate(r));

function inbox(options: { storedUpTo?: number; open?: boolean } = {}) {
  const applied: number[] = [];
  const recorded: number[] = [];
  const acks: number[] = [];
  const ackWaiters: Array<() => void> = [];
  /** What applying a message is still storing, by id (default: nothing). */
  const storing = new Map<number, Promise<void>>();
  let recording: (upTo: number) => Promise<void> = async () => {};
  const box = new BridgeInbox({
    storedUpTo: options.storedUpTo ?? 0,
    apply: (m) => {
      applied.push(m.id);
      return storing.get(m.id);
    },
    record: async (upTo) => {
      await recording(upTo);
      recorded.push(upTo);
    },
    acknowledge: (upTo) => {
      acks.push(upTo);
      for (const w of ackWaiters.splice(0)) w();
    },
    log: createLogger('silent'),
    sandboxId: 'sbx_1',
  });
  if (options.open ?? true) box.openTimeline();
  return {
    box,
    applied,
    recorded,
    acks,
    storing,
    recordWith: (fn: (upTo: number) => Promise<void>) => (recording = fn),
    nextAck: () => new Promise<void>((r) => ackWaiters.push(r)),
    /** Resolves once an acknowledgement reaches `upTo` (they are batched, so earlier ones may come first). */
    async ackedUpTo(upTo: number) {
      while ((acks.at(-1) ?? -1) < upTo) await new Promise<void>((r) => ackWaiters.push(r));
    },
  };
}

const heartbeat = (id: number): CarriedUp => ({ id, type: 'heartbeat' });

describe('bridge inbox', () => {
  it('applies messages in order, each id once, and acknowledges a re-send again', async () => {
    const t = inbox();
    for (const id of [1, 2, 3]) t.box.receive(heartbeat(id));
    await t.ackedUpTo(3);
    expect(t.applied).toEqual([1, 2, 3]);

    // After a reconnect the supervisor re-sends what it has no ack for; a re-send alone is
    // acknowledged again, so it can drop it.
    const ack = t.nextAck();
    t.box.receive(heartbeat(3));
    await ack;
    expect(t.acks.at(-1)).toBe(3);
    t.box.receive(heartbeat(4));
    await t.ackedUpTo(4);
    expect(t.applied).toEqual([1, 2, 3, 4]);
    expect(t.recorded.at(-1)).toBe(4);
  });

  it('holds what comes before there is a timeline, once each, and applies it in order when there is', async () => {
    const t = inbox({ open: false });
    for (const id of [1, 2, 1, 3, 2]) t.box.receive(heartbeat(id));
    await settle();
    expect(t.applied).toEqual([]);
    expect(t.box.heldCount).toBe(3);
    t.box.acknowledgeNow();
    expect(t.acks).toEqual([0]); // nothing held is stored, so nothing is acknowledged

    t.box.openTimeline();
    t.box.receive(heartbeat(4));
    await t.ackedUpTo(4);
    expect(t.applied).toEqual([1, 2, 3, 4]);
  });

  it('starts from the checkpoint an earlier process stored: older ids are not applied again', async () => {
    const t = inbox({ storedUpTo: 5 });
    t.box.acknowledgeNow();
    expect(t.acks).toEqual([5]);
    for (const id of [4, 5, 6]) t.box.receive(heartbeat(id));
    await t.ackedUpTo(6);
    expect(t.applied).toEqual([6]);
    expect(t.recorded).toEqual([6]);
  });

  it('records and acknowledges a message only after what it carried is stored', async () => {
    const t = inbox();
    const artifacts = deferred();
    t.storing.set(1, artifacts.promise);
    t.box.receive(heartbeat(1));
    await settle();
    expect(t.applied).toEqual([1]);
    expect(t.recorded).toEqual([]);
    t.box.acknowledgeNow();
    expect(t.acks).toEqual([0]);
    // A re-send while it is being stored is answered with what is stored, not with what is applied.
    const again = t.nextAck();
    t.box.receive(heartbeat(1));
    await again;
    expect(t.acks).toEqual([0, 0]);
    expect(t.box.storedUpTo).toBe(0);

    artifacts.resolve();
    await t.ackedUpTo(1);
    expect(t.recorded).toEqual([1]);
  });

  it('acknowledges nothing whose checkpoint could not be stored, and covers it with the next one', async () => {
    const t = inbox();
    t.recordWith(async (upTo) => {
      if (upTo === 1) throw new Error('disk full');
    });
    t.box.receive(heartbeat(1));
    await settle();
    expect(t.recorded).toEqual([]);
    expect(t.box.storedUpTo).toBe(0);

    t.recordWith(async () => {});
    t.box.receive(heartbeat(2));
    await t.ackedUpTo(2);
    expect(t.recorded).toEqual([2]);
    expect(t.acks).not.toContain(1);
  });

  it('writes one checkpoint at a time: what arrives meanwhile goes into the next, in one write', async () => {
    const t = inbox();
    const first = deferred();
    t.recordWith((upTo) => (upTo === 1 ? first.promise : Promise.resolve()));
    t.box.receive(heartbeat(1));
    await settle();
    t.box.receive(heartbeat(2));
    t.box.receive(heartbeat(3));
    await settle();
    expect(t.recorded).toEqual([]);

    first.resolve();
    await t.ackedUpTo(3);
    expect(t.recorded).toEqual([1, 3]);
  });
});
