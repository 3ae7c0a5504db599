import type { Kysely, Selectable } from 'kysely';
import type { BrowserSessionsTable, Database } from './schema.js';
import type { BrowserSessionRecord, BrowserSessionRepo } from './store.js';

export class BrowserSessions implements BrowserSessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: BrowserSessionRecord): Promise<void> {
    await this.db
      .insertInto('browser_sessions')
      .values({
        id: s.id,
        person_id: s.personId,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
        last_seen_at: s.lastSeenAt,
      })
      .execute();
  }

  async get(id: string): Promise<BrowserSessionRecord | undefined> {
    const row = await this.db
      .selectFrom('browser_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && browserSessionFromRow(row);
  }

  async extend(id: string, patch: { expiresAt: string; lastSeenAt: string }): Promise<void> {
    await this.db
      .updateTable('browser_sessions')
      .set({ expires_at: patch.expiresAt, last_seen_at: patch.lastSeenAt })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('browser_sessions').where('id', '=', id).execute();
  }
}

function browserSessionFromRow(r: Selectable<BrowserSessionsTable>): BrowserSessionRecord {
  return {
    id: r.id,
    personId: r.person_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastSeenAt: r.last_seen_at,
  };
}
