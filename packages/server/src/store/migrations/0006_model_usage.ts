import type { Kysely, Migration } from 'kysely';

/**
 * One row per model call through the proxy. No foreign key to sessions: what a deleted session
 * spent still counts against its author's budget and in the totals.
 */
export const modelUsageMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('model_usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('message_id', 'text')
      .addColumn('author_email', 'text')
      .addColumn('author_name', 'text')
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('input_tokens', 'integer', (c) => c.notNull())
      .addColumn('output_tokens', 'integer', (c) => c.notNull())
      .addColumn('cache_read_tokens', 'integer', (c) => c.notNull())
      .addColumn('cache_write_tokens', 'integer', (c) => c.notNull())
      .addColumn('cost_usd', 'double precision', (c) => c.notNull())
      .addColumn('priced', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('model_usage_author_created')
      .on('model_usage')
      .columns(['author_email', 'created_at'])
      .execute();
    await db.schema.createIndex('model_usage_session').on('model_usage').column('session_id').execute();
    await db.schema.createIndex('model_usage_message').on('model_usage').column('message_id').execute();
  },
};
