import type { Kysely, Selectable } from 'kysely';
import type { ApiTokensTable, Database } from './schema.js';
import type { ApiTokenRecord, ApiTokenRepo, ApiTokenWithOwner } from './store.js';

export class ApiTokens implements ApiTokenRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(t: ApiTokenRecord): Promise<void> {
    await this.db
      .insertInto('api_tokens')
      .values({
        id: t.id,
        person_id: t.personId,
        name: t.name,
        hash: t.hash,
        created_at: t.createdAt,
        last_used_at: t.lastUsedAt,
        revoked_at: t.revokedAt,
      })
      .execute();
  }

  async getByHash(hash: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('hash', '=', hash)
      .executeTakeFirst();
    return row && apiTokenFromRow(row);
  }

  async get(id: string): Promise<ApiTokenRecord | undefined> {
    const row = await this.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
    return row && apiTokenFromRow(row);
  }

  async listActive(filter: { personId?: string }): Promise<ApiTokenWithOwner[]> {
    let q = this.db
      .selectFrom('api_tokens')
      .innerJoin('people', 'people.id', 'api_tokens.person_id')
      .selectAll('api_tokens')
      .select(['people.name as owner_name', 'people.email as owner_email'])
      .where('api_tokens.revoked_at', 'is', null);
    if (filter.personId !== undefined) q = q.where('api_tokens.person_id', '=', filter.personId);
    const rows = await q.orderBy('api_tokens.created_at', 'desc').orderBy('api_tokens.id').execute();
    return rows.map((r) => ({ ...apiTokenFromRow(r), owner: { name: r.owner_name, email: r.owner_email } }));
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  async revoke(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

function apiTokenFromRow(r: Selectable<ApiTokensTable>): ApiTokenRecord {
  return {
    id: r.id,
    personId: r.person_id,
    name: r.name,
    hash: r.hash,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}
