import type { Kysely, Selectable } from 'kysely';
import type { Database, SecretsTable } from './schema.js';
import type { SecretRecord, SecretRepo } from './store.js';

export class Secrets implements SecretRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async put(s: SecretRecord): Promise<void> {
    const row = {
      name: s.name,
      repo: s.repo,
      scope: s.scope,
      sealed: s.sealed,
      updated_at: s.updatedAt,
      updated_by: s.updatedBy,
    };
    await this.db
      .insertInto('secrets')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['name', 'repo']).doUpdateSet({
          scope: row.scope,
          sealed: row.sealed,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
  }

  async get(name: string, repo: string): Promise<SecretRecord | undefined> {
    const row = await this.db
      .selectFrom('secrets')
      .selectAll()
      .where('name', '=', name)
      .where('repo', '=', repo)
      .executeTakeFirst();
    return row && secretFromRow(row);
  }

  async list(repo: string): Promise<SecretRecord[]> {
    const rows = await this.db
      .selectFrom('secrets')
      .selectAll()
      .where('repo', '=', repo)
      .orderBy('name')
      .execute();
    return rows.map(secretFromRow);
  }

  async delete(name: string, repo: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('secrets')
      .where('name', '=', name)
      .where('repo', '=', repo)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function secretFromRow(row: Selectable<SecretsTable>): SecretRecord {
  return {
    name: row.name,
    repo: row.repo,
    scope: row.scope === 'setup' ? 'setup' : 'agent',
    sealed: row.sealed,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
