import type { Kysely, Migration } from 'kysely';

/**
 * Secrets, sealed: `sealed` is AES-256-GCM output (iv, tag, ciphertext) in base64 text, so the
 * same column type works on SQLite and PostgreSQL. `repo` is '' for a global secret, so that
 * (name, repo) can be the key without a nullable column in it.
 */
export const secretsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('secrets')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('repo', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addPrimaryKeyConstraint('secrets_pk', ['name', 'repo'])
      .execute();
  },
};
