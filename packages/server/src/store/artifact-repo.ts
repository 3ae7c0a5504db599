import type { Kysely, Selectable } from 'kysely';
import type { Artifact } from '@nightshift/protocol';
import type { ArtifactsTable, Database } from './schema.js';
import type { ArtifactRepo } from './store.js';

export class Artifacts implements ArtifactRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(sessionId: string, a: Artifact): Promise<void> {
    // Timestamps tie (several artifacts are often reported in one millisecond) and ids are
    // random: only a counter keeps the order they were recorded in.
    await this.db.transaction().execute(async (tx) => {
      const last = await tx
        .selectFrom('artifacts')
        .select((eb) => eb.fn.max('position').as('max'))
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      await tx
        .insertInto('artifacts')
        .values({
          id: a.id,
          session_id: sessionId,
          type: a.type,
          url: a.url,
          data: JSON.stringify(a.data),
          created_at: a.createdAt,
          position: Number(last?.max ?? 0) + 1,
        })
        .execute();
    });
  }

  async list(sessionId: string): Promise<Artifact[]> {
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('position')
      .execute();
    return rows.map(artifactFromRow);
  }

  async findByUrl(
    type: Artifact['type'],
    url: string,
  ): Promise<Array<{ sessionId: string; artifact: Artifact }>> {
    const rows = await this.db
      .selectFrom('artifacts')
      .selectAll()
      .where('type', '=', type)
      .where('url', '=', url)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => ({ sessionId: r.session_id, artifact: artifactFromRow(r) }));
  }

  async updateData(id: string, data: Record<string, unknown>): Promise<void> {
    await this.db
      .updateTable('artifacts')
      .set({ data: JSON.stringify(data) })
      .where('id', '=', id)
      .execute();
  }
}

function artifactFromRow(r: Selectable<ArtifactsTable>): Artifact {
  return {
    id: r.id,
    type: r.type as Artifact['type'],
    url: r.url,
    data: JSON.parse(r.data) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}
