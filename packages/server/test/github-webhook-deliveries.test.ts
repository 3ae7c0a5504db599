// The webhook's front and its durable queue on a real SQLite store, with deliveries signed as
// GitHub signs them (HMAC-SHA256 of the raw body): what is refused changes nothing, what is
// accepted is done once, and what a crash interrupted is done at the next start.
import { createHmac, randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { KyselyStore } from '../src/store/kysely-store.js';
import type { GitHubDeliveryRecord } from '../src/store/store.js';
import { createLogger } from '../src/log.js';
import { DeliveryQueue } from '../src/github/webhooks/delivery-queue.js';
import { WebhookReceiver } from '../src/github/webhooks/receiver.js';
import { tempDir } from './support/harness.js';

const SECRET = 'webhook-secret-for-tests';
const log = createLogger('silent');

function signed(payload: unknown, secret = SECRET) {
  const rawBody = JSON.stringify(payload);
  const signature = `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
  return { rawBody, signature };
}

const stores: KyselyStore[] = [];
async function openStore(dir = tempDir('ns-deliveries-')): Promise<{ store: KyselyStore; dir: string }> {
  const store = await openSqliteStore(path.join(dir, 'nightshift.db'));
  stores.push(store);
  return { store, dir };
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
});

function world(store: KyselyStore, handle?: (d: GitHubDeliveryRecord) => Promise<void>) {
  const handled: GitHubDeliveryRecord[] = [];
  const queue = new DeliveryQueue(store.githubDeliveries, handle ?? (async (d) => void handled.push(d)), log);
  return { handled, queue, receiver: new WebhookReceiver(SECRET, store.githubDeliveries, queue) };
}

const PAYLOAD = { action: 'closed', number: 7, pull_request: { number: 7, merged: true } };

describe('GitHub webhook deliveries', () => {
  it('refuses a delivery signed with another secret, or not signed, and records nothing', async () => {
    const { store } = await openStore();
    const { receiver, queue, handled } = world(store);
    const id = randomUUID();
    const forged = signed(PAYLOAD, 'not-the-secret');
    expect(await receiver.receive({ id, event: 'pull_request', ...forged })).toMatchObject({
      kind: 'bad_signature',
    });
    const { rawBody } = signed(PAYLOAD);
    expect(
      await receiver.receive({ id, event: 'pull_request', rawBody, signature: undefined }),
    ).toMatchObject({
      kind: 'bad_signature',
    });
    // A body changed after signing fails too.
    const tampered = { ...signed(PAYLOAD), rawBody: JSON.stringify({ ...PAYLOAD, number: 8 }) };
    expect(await receiver.receive({ id, event: 'pull_request', ...tampered })).toMatchObject({
      kind: 'bad_signature',
    });
    await queue.drain();
    expect(handled).toEqual([]);
    // The id was never recorded: the real delivery with it is still accepted.
    expect(await receiver.receive({ id, event: 'pull_request', ...signed(PAYLOAD) })).toEqual({
      kind: 'accepted',
    });
  });

  it('carries out a delivery once, and answers a redelivery of the same id as a duplicate', async () => {
    const { store } = await openStore();
    const { receiver, queue, handled } = world(store);
    const id = randomUUID();
    const delivery = { id, event: 'pull_request', ...signed(PAYLOAD) };
    expect(await receiver.receive(delivery)).toEqual({ kind: 'accepted' });
    expect(await receiver.receive(delivery)).toEqual({ kind: 'duplicate' });
    await queue.drain();
    expect(handled.map((d) => [d.id, d.event, JSON.parse(d.payload)])).toEqual([
      [id, 'pull_request', PAYLOAD],
    ]);
    expect(await receiver.receive(delivery)).toEqual({ kind: 'duplicate' });
    await queue.drain();
    expect(handled).toHaveLength(1);
    expect(await store.githubDeliveries.unhandled()).toEqual([]);
  });

  it('ignores events it does not act on without recording them', async () => {
    const { store } = await openStore();
    const { receiver, queue, handled } = world(store);
    const outcome = await receiver.receive({
      id: randomUUID(),
      event: 'star',
      ...signed({ action: 'created' }),
    });
    expect(outcome).toEqual({ kind: 'ignored', event: 'star' });
    await queue.drain();
    expect(handled).toEqual([]);
  });

  it('names the missing header of a signed delivery without a delivery id or event', async () => {
    const { store } = await openStore();
    const { receiver } = world(store);
    expect(await receiver.receive({ id: undefined, event: 'pull_request', ...signed(PAYLOAD) })).toEqual({
      kind: 'bad_request',
      message: 'X-GitHub-Delivery: missing',
    });
    expect(await receiver.receive({ id: randomUUID(), event: undefined, ...signed(PAYLOAD) })).toEqual({
      kind: 'bad_request',
      message: 'X-GitHub-Event: missing',
    });
  });

  it('a delivery accepted but not handled before the process ended is handled at the next start, once', async () => {
    const first = await openStore();
    // The first process accepts, and dies before its queue gets to the delivery.
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const dying = world(first.store, () => blocked);
    const id = randomUUID();
    expect(await dying.receiver.receive({ id, event: 'issue_comment', ...signed(PAYLOAD) })).toEqual({
      kind: 'accepted',
    });
    await first.store.close();
    release();

    const second = await openStore(first.dir);
    const restarted = world(second.store);
    expect(await restarted.queue.resume()).toBe(1);
    await restarted.queue.drain();
    expect(restarted.handled.map((d) => d.id)).toEqual([id]);
    expect(await restarted.receiver.receive({ id, event: 'issue_comment', ...signed(PAYLOAD) })).toEqual({
      kind: 'duplicate',
    });
    expect(await restarted.queue.resume()).toBe(0);
  });

  it('a handler that fails is logged and the delivery is not run again', async () => {
    const { store } = await openStore();
    let runs = 0;
    const { receiver, queue } = world(store, async () => {
      runs += 1;
      throw new Error('GitHub is down');
    });
    await receiver.receive({ id: randomUUID(), event: 'pull_request', ...signed(PAYLOAD) });
    await queue.drain();
    expect(runs).toBe(1);
    expect(await queue.resume()).toBe(0);
  });

  it('forgets the ids of deliveries handled more than a month ago, and only those', async () => {
    const { store } = await openStore();
    const { receiver, queue } = world(store);
    const id = randomUUID();
    await receiver.receive({ id, event: 'pull_request', ...signed(PAYLOAD) });
    await queue.drain();
    await queue.resume(Date.now() + 29 * 24 * 3600_000);
    expect(await receiver.receive({ id, event: 'pull_request', ...signed(PAYLOAD) })).toEqual({
      kind: 'duplicate',
    });
    await queue.resume(Date.now() + 31 * 24 * 3600_000);
    expect(await receiver.receive({ id, event: 'pull_request', ...signed(PAYLOAD) })).toEqual({
      kind: 'accepted',
    });
  });
});
