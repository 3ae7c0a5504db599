import type { Kysely, Migration } from 'kysely';

/**
 * GitHub webhook deliveries, by GitHub's delivery id (`X-GitHub-Delivery`): the id is what makes
 * a redelivery recognisable, and the payload is kept until its effects are done, so a delivery
 * accepted before a crash is carried out after the restart instead of being lost. Once handled,
 * only the id and times remain.
 */
export const githubDeliveriesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('github_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addColumn('handled_at', 'text')
      .execute();
    await db.schema
      .createIndex('github_deliveries_unhandled')
      .on('github_deliveries')
      .columns(['handled_at', 'received_at'])
      .execute();
  },
};
