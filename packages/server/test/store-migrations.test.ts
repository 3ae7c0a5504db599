import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrateTo } from '../src/store/migrations.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { KyselyStore } from '../src/store/kysely-store.js';
import { tempDir } from './support/harness.js';

let store: KyselyStore | undefined;
afterEach(async () => store?.close());

describe('migration 0003_artifact_position', () => {
  it('lists artifacts stored before it in the order of their artifact_created events', async () => {
    const file = path.join(tempDir(), 'nightshift.db');
    const old = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Sqlite(file) }) });
    await migrateTo(old, '0002_sandboxes');
    const at = '2025-01-01T00:00:00.000Z';
    const db = old as Kysely<{
      sessions: Record<string, unknown>;
      artifacts: Record<string, unknown>;
      events: Record<string, unknown>;
    }>;
    for (const id of ['ses_a', 'ses_b']) {
      await db
        .insertInto('sessions')
        .values({
          id,
          repo: '/r',
          base_branch: 'main',
          branch: `b-${id}`,
          status: 'active',
          sandbox_status: 'none',
          created_at: at,
          updated_at: at,
        })
        .execute();
    }
    // Same millisecond everywhere, ids in an order unlike the timeline's; one has no event.
    const timelineOrder = { ses_a: ['art_z', 'art_m', 'art_a'], ses_b: ['art_q', 'art_b'] };
    const unannounced = 'art_0';
    for (const [sessionId, ids] of Object.entries(timelineOrder)) {
      for (const [i, id] of [...ids, ...(sessionId === 'ses_a' ? [unannounced] : [])].entries()) {
        const artifact = { id, type: 'commit', url: null, data: { i }, createdAt: at };
        await db
          .insertInto('artifacts')
          .values({ id, session_id: sessionId, type: 'commit', url: null, data: '{}', created_at: at })
          .execute();
        if (id === unannounced) continue;
        await db
          .insertInto('events')
          .values({
            session_id: sessionId,
            seq: 10 + i,
            type: 'artifact_created',
            at,
            data: JSON.stringify(artifact),
          })
          .execute();
      }
    }
    await old.destroy();

    store = await openSqliteStore(file);
    expect((await store.artifacts.list('ses_a')).map((a) => a.id)).toEqual([
      ...timelineOrder.ses_a,
      unannounced,
    ]);
    expect((await store.artifacts.list('ses_b')).map((a) => a.id)).toEqual(timelineOrder.ses_b);

    // New artifacts go after the numbered ones.
    await store.artifacts.insert('ses_b', {
      id: 'art_a2',
      type: 'branch',
      url: null,
      data: {},
      createdAt: at,
    });
    expect((await store.artifacts.list('ses_b')).map((a) => a.id)).toEqual([
      ...timelineOrder.ses_b,
      'art_a2',
    ]);
  });
});
