/**
 * A sandbox's model relay keeps its books in a journal the control plane books later: each call
 * is booked once, to the prompt that was running when it was made (even when it is booked after
 * that prompt ended, or after a crash half-way through booking), and the budget reaches the relay
 * as an allowance it reads before every call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';
import { createLogger } from '../src/log.js';
import { UsageLedger } from '../src/models/usage-ledger.js';
import { RelayBooks } from '../src/models/relay-books.js';
import { JournalBookkeeper, USAGE_JOURNAL } from '../src/models/usage-journal.js';
import type { CallUsage } from '../src/models/usage-parse.js';
import { tempDir } from './support/harness.js';
import { activeSession, runningPrompt } from './support/store-records.js';

const ADA = { name: 'Ada Lovelace', email: 'ada@example.com' };
const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };
const call = (inputTokens: number): CallUsage => ({
  model: 'scripted',
  inputTokens,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reported: true,
});

let store: Store;
let dataDir: string;
const sessionDir = () => path.join(dataDir, 'sandboxes', 'ses_r');

beforeAll(async () => {
  dataDir = tempDir('ns-relay-');
  mkdirSync(sessionDir(), { recursive: true });
  store = await openSqliteStore(path.join(dataDir, 'nightshift.db'));
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
  await store.sessions.insert(activeSession('ses_r', at(0)));
  const message = (
    id: string,
    position: number,
    author: typeof ADA,
    started: number,
    finished: number | null,
  ) => ({
    ...runningPrompt({ id, sessionId: 'ses_r', author, position }, at(started)),
    createdAt: at(0),
    ...(finished === null ? {} : { status: 'completed' as const, finishedAt: at(finished) }),
  });
  await store.messages.insert(message('msg_ada', 1, ADA, 10, 20));
  await store.messages.insert(message('msg_grace', 2, GRACE, 30, null));
});
afterAll(async () => {
  await store?.close();
});

describe('a model relay’s journal', () => {
  it('is booked once per call, each to the prompt running when it was made', async () => {
    const ledger = new UsageLedger({
      store,
      prices: { 'anthropic/scripted': { input: 1, output: 1 } },
      budgetUsdPerDay: 1,
    });
    const books = new RelayBooks(ledger, store, () => sessionDir(), createLogger('silent'));
    const entry = (id: string, second: number, tokens: number) =>
      JSON.stringify({
        id,
        at: new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString(),
        provider: 'anthropic',
        usage: call(tokens),
      });
    // Ada's call, one right after her prompt (the session's title), and Grace's.
    writeFileSync(
      path.join(sessionDir(), USAGE_JOURNAL),
      [entry('use_1', 15, 100), entry('use_2', 25, 10), entry('use_3', 35, 1000)].join('\n') + '\n',
    );
    // A control plane that died half-way: the journal it had taken is still there, taken again.
    writeFileSync(
      path.join(sessionDir(), `${USAGE_JOURNAL}.taken`),
      entry('use_1', 15, 100) + '\n{"id":"use_4","at"',
    );
    await books.settle('ses_r');
    await books.settle('ses_r'); // nothing new: nothing more
    expect(await store.usage.totals({ messageId: 'msg_ada' })).toMatchObject({ inputTokens: 110 });
    expect(await store.usage.totals({ messageId: 'msg_grace' })).toMatchObject({ inputTokens: 1000 });
    expect(await store.usage.totals({ sessionId: 'ses_r' })).toMatchObject({ inputTokens: 1110 });
  });

  it('tells the relay when the running prompt’s author has used the budget, and the relay refuses then', async () => {
    const relay = new JournalBookkeeper('ses_r', sessionDir());
    const generous = new UsageLedger({
      store,
      prices: { 'anthropic/scripted': { input: 1, output: 1 } },
      budgetUsdPerDay: 1,
    });
    await new RelayBooks(generous, store, () => sessionDir(), createLogger('silent')).settle('ses_r');
    expect(await relay.refusal()).toBeNull();
    // On that day Grace spent $0.001 (1000 tokens at $1 per million, in the first test).
    const strict = new UsageLedger({
      store,
      prices: {},
      budgetUsdPerDay: 0.0005,
      now: () => new Date(Date.UTC(2026, 0, 1, 13)),
    });
    await new RelayBooks(strict, store, () => sessionDir(), createLogger('silent')).settle('ses_r');
    expect(await relay.refusal()).toBe(
      "grace@example.com has used today's model budget of $0.0005 (resets 00:00 UTC)",
    );
  });

  it('journals what the relay proxied, for the control plane to book', async () => {
    const relay = new JournalBookkeeper('ses_r', sessionDir());
    await relay.record(await relay.attribute(), 'anthropic', call(7));
    const ledger = new UsageLedger({ store, prices: {}, budgetUsdPerDay: null });
    const before = await store.usage.totals({ sessionId: 'ses_r' });
    await new RelayBooks(ledger, store, () => sessionDir(), createLogger('silent')).settle('ses_r');
    const after = await store.usage.totals({ sessionId: 'ses_r' });
    expect(after.inputTokens - before.inputTokens).toBe(7);
  });
});
