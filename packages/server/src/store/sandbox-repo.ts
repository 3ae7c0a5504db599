import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, SandboxesTable } from './schema.js';
import type { SandboxRecord, SandboxRepo } from './store.js';

export class Sandboxes implements SandboxRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: SandboxRecord): Promise<void> {
    await this.db
      .insertInto('sandboxes')
      .values({
        id: s.id,
        session_id: s.sessionId,
        provider: s.provider,
        token_hash: s.tokenHash,
        status: s.status,
        handle: s.handle,
        last_bridge_id: s.lastBridgeId,
        created_at: s.createdAt,
        ended_at: s.endedAt,
      })
      .execute();
  }

  async get(id: string): Promise<SandboxRecord | undefined> {
    const row = await this.db.selectFrom('sandboxes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && sandboxFromRow(row);
  }

  async listLive(): Promise<SandboxRecord[]> {
    const rows = await this.db.selectFrom('sandboxes').selectAll().where('ended_at', 'is', null).execute();
    return rows.map(sandboxFromRow);
  }

  async update(
    id: string,
    patch: Partial<Pick<SandboxRecord, 'status' | 'handle' | 'lastBridgeId' | 'endedAt'>>,
  ): Promise<void> {
    const row: Partial<SandboxesTable> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.handle !== undefined) row.handle = patch.handle;
    if (patch.endedAt !== undefined) row.ended_at = patch.endedAt;
    if (Object.keys(row).length > 0)
      await this.db.updateTable('sandboxes').set(row).where('id', '=', id).execute();
    if (patch.lastBridgeId !== undefined) await advanceBridgeId(this.db, id, patch.lastBridgeId);
  }
}

/** The bridge position only moves forward: a late write of an older one must not undo a newer. */
export async function advanceBridgeId(
  db: Kysely<Database> | Transaction<Database>,
  sandboxId: string,
  lastBridgeId: number,
): Promise<void> {
  await db
    .updateTable('sandboxes')
    .set({ last_bridge_id: sql<number>`max(last_bridge_id, ${lastBridgeId})` })
    .where('id', '=', sandboxId)
    .execute();
}

function sandboxFromRow(r: Selectable<SandboxesTable>): SandboxRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    provider: r.provider,
    tokenHash: r.token_hash,
    status: r.status,
    handle: r.handle,
    lastBridgeId: r.last_bridge_id,
    createdAt: r.created_at,
    endedAt: r.ended_at,
  };
}
