import type { Kysely, Migration } from 'kysely';

/**
 * Team mode: the people who signed in, their browser sessions and their API tokens. Neither a
 * cookie value nor a token is stored, only its sha256: a copy of the database opens no door.
 * `github_token` is reserved for the user token that will open pull requests (issue 11).
 */
export const peopleAndTokensMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('people')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('email', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('github_login', 'text')
      .addColumn('github_orgs', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('github_token', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text')
      .execute();

    await db.schema
      .createTable('browser_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('last_seen_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('browser_sessions_person')
      .on('browser_sessions')
      .column('person_id')
      .execute();

    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('person_id', 'text', (c) => c.notNull().references('people.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_tokens_person').on('api_tokens').column('person_id').execute();
  },
};
