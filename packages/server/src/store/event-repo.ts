import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { BridgeCheckpoint, EventRepo, StoredEvent } from './store.js';
import { advanceBridgeId } from './sandbox-repo.js';

/** Rows per INSERT statement: keeps well under SQLite's bound-parameter limit. */
const EVENT_INSERT_CHUNK = 500;

export class Events implements EventRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async append(events: StoredEvent[], checkpoints: BridgeCheckpoint[] = []): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      session_id: e.sessionId,
      seq: e.seq,
      type: e.type,
      at: e.at,
      data: JSON.stringify(e.data),
    }));
    if (rows.length <= EVENT_INSERT_CHUNK && checkpoints.length === 0) {
      await this.db.insertInto('events').values(rows).execute();
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += EVENT_INSERT_CHUNK) {
        await tx
          .insertInto('events')
          .values(rows.slice(i, i + EVENT_INSERT_CHUNK))
          .execute();
      }
      for (const c of checkpoints) await advanceBridgeId(tx, c.sandboxId, c.lastBridgeId);
    });
  }

  async list(sessionId: string, after: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      sessionId: r.session_id,
      seq: r.seq,
      type: r.type,
      at: r.at,
      data: JSON.parse(r.data),
    }));
  }

  async maxSeq(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('max'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}
