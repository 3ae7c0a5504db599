import { afterEach, describe, expect, it } from 'vitest';
import type { EventInput, SessionEvent } from '@nightshift/protocol';
import { coalesce, Timeline } from '../src/sessions/timeline.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import { createLogger } from '../src/log.js';
import { tempDir, expectContiguous } from './support/harness.js';
import path from 'node:path';
import type { KyselyStore } from '../src/store/kysely-store.js';

const text = (partId: string, delta: string, messageId = 'm'): EventInput => ({
  type: 'sandbox_event',
  data: { messageId, kind: 'text', partId, delta },
});

describe('coalesce', () => {
  it('merges adjacent deltas of the same part and keeps everything else in order', () => {
    const out = coalesce([
      text('p1', 'Hel'),
      text('p1', 'lo'),
      text('p2', '!'),
      { type: 'prompt_started', data: { messageId: 'm' } },
      text('p1', ' again'),
    ]);
    expect(out).toEqual([
      text('p1', 'Hello'),
      text('p2', '!'),
      { type: 'prompt_started', data: { messageId: 'm' } },
      text('p1', ' again'),
    ]);
  });
});

describe('Timeline', () => {
  let store: KyselyStore | undefined;
  afterEach(async () => store?.close());

  async function setup() {
    store = await openSqliteStore(path.join(tempDir(), 'db.sqlite'));
    const now = new Date().toISOString();
    await store.sessions.insert({
      id: 's',
      repo: '/r',
      baseBranch: 'main',
      branch: 'b',
      title: null,
      model: null,
      status: 'created',
      sandboxStatus: 'none',
      statusBeforeArchive: null,
      createdAt: now,
      updatedAt: now,
    });
    const published: SessionEvent[] = [];
    const timeline = new Timeline('s', store.events, 0, (e) => published.push(...e), createLogger('silent'));
    return { timeline, published, store };
  }

  it('stores before publishing, with gap-free seqs, under many concurrent writers', async () => {
    const { timeline, published, store } = await setup();
    const storedAtPublish: number[] = [];
    // Writers on separate async paths, interleaving through the event loop.
    await Promise.all(
      Array.from({ length: 20 }, async (_, w) => {
        for (let i = 0; i < 50; i++) {
          timeline.append({ type: 'prompt_started', data: { messageId: `w${w}-${i}` } });
          if (i % 7 === 0) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    await timeline.flushed();
    const stored = await store.events.list('s', 0, 10_000);
    expect(stored).toHaveLength(1000);
    expectContiguous(stored);
    expectContiguous(published);
    // Every published event is readable from the store.
    for (const e of published.slice(-5))
      storedAtPublish.push((await store.events.list('s', e.seq - 1, 1))[0]!.seq);
    expect(storedAtPublish).toEqual(published.slice(-5).map((e) => e.seq));
  });

  it('continues numbering after a restart from the stored maximum', async () => {
    const { timeline, store } = await setup();
    timeline.append({ type: 'prompt_started', data: { messageId: 'a' } });
    timeline.append({ type: 'prompt_started', data: { messageId: 'b' } });
    await timeline.flushed();
    const again = new Timeline(
      's',
      store.events,
      await store.events.maxSeq('s'),
      () => {},
      createLogger('silent'),
    );
    again.append({ type: 'prompt_started', data: { messageId: 'c' } });
    await again.flushed();
    expectContiguous(await store.events.list('s', 0, 100));
  });

  it('stores text deltas coalesced per tick, never cumulatively', async () => {
    const { timeline, published, store } = await setup();
    for (const d of ['a', 'b', 'c']) timeline.append(text('p', d));
    await timeline.flushed();
    timeline.append(text('p', 'd'));
    await timeline.flushed();
    const deltas = (await store.events.list('s', 0, 100)).map((e) => (e.data as { delta: string }).delta);
    expect(deltas).toEqual(['abc', 'd']);
    expect(published.map((e) => (e.data as { delta: string }).delta)).toEqual(['abc', 'd']);
  });
});
