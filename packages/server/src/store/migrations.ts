import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';
import { peopleAndTokensMigration } from './migrations/0004_people_and_tokens.js';
import { secretsMigration } from './migrations/0005_secrets.js';
import { modelUsageMigration } from './migrations/0006_model_usage.js';
import { githubDeliveriesMigration } from './migrations/0008_github_deliveries.js';

/**
 * Versioned migrations, applied in name order. Never edit one that has shipped: add the next.
 * They use only portable DDL so the PostgreSQL dialect can run the same list.
 */
const migrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('repo', 'text', (c) => c.notNull())
        .addColumn('base_branch', 'text', (c) => c.notNull())
        .addColumn('branch', 'text', (c) => c.notNull())
        .addColumn('title', 'text')
        .addColumn('model', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('sandbox_status', 'text', (c) => c.notNull())
        .addColumn('status_before_archive', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sessions_status_created')
        .on('sessions')
        .columns(['status', 'created_at'])
        .execute();

      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('author_name', 'text', (c) => c.notNull())
        .addColumn('author_email', 'text', (c) => c.notNull())
        .addColumn('model', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('client_request_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema
        .createIndex('messages_session_position')
        .on('messages')
        .columns(['session_id', 'position'])
        .unique()
        .execute();
      await db.schema
        .createIndex('messages_client_request')
        .on('messages')
        .columns(['session_id', 'client_request_id'])
        .unique()
        .execute();
      await db.schema.createIndex('messages_status').on('messages').column('status').execute();

      await db.schema
        .createTable('events')
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('events_pk', ['session_id', 'seq'])
        .execute();

      await db.schema
        .createTable('artifacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('artifacts_session')
        .on('artifacts')
        .columns(['session_id', 'created_at'])
        .execute();
    },
  },
  '0002_sandboxes': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sandboxes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('handle', 'text')
        .addColumn('last_bridge_id', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .execute();
      await db.schema
        .createIndex('sandboxes_session')
        .on('sandboxes')
        .columns(['session_id', 'ended_at'])
        .execute();
    },
  },
  '0003_artifact_position': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('artifacts')
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await numberStoredArtifacts(db as Kysely<TablesAt0003>);
      await db.schema.dropIndex('artifacts_session').execute();
      await db.schema
        .createIndex('artifacts_session_position')
        .on('artifacts')
        .columns(['session_id', 'position'])
        .unique()
        .execute();
    },
  },
  '0004_people_and_tokens': peopleAndTokensMigration,
  '0005_secrets': secretsMigration,
  '0006_model_usage': modelUsageMigration,
  '0008_github_deliveries': githubDeliveriesMigration,
};

/** The tables as 0003 knows them: later migrations must not change what it reads. */
interface TablesAt0003 {
  artifacts: { id: string; session_id: string; created_at: string; position: number };
  events: { session_id: string; seq: number; type: string; data: string };
}

/**
 * Artifacts stored before 0003 were listed by creation time, ties broken by their random ids.
 * They are numbered in the order of their artifact_created events instead, the order every
 * client saw them in the timeline; one without an event (none should exist) goes last.
 */
async function numberStoredArtifacts(db: Kysely<TablesAt0003>): Promise<void> {
  const announced = new Map<string, number>();
  const events = await db
    .selectFrom('events')
    .select(['seq', 'data'])
    .where('type', '=', 'artifact_created')
    .execute();
  for (const e of events) {
    const id = (JSON.parse(e.data) as { id?: unknown }).id;
    if (typeof id === 'string') announced.set(id, e.seq);
  }
  const artifacts = await db
    .selectFrom('artifacts')
    .select(['id', 'session_id', 'created_at'])
    .orderBy('session_id')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const bySession = new Map<string, typeof artifacts>();
  for (const a of artifacts) {
    let list = bySession.get(a.session_id);
    if (!list) bySession.set(a.session_id, (list = []));
    list.push(a);
  }
  for (const list of bySession.values()) {
    const seq = (id: string) => announced.get(id) ?? Number.MAX_SAFE_INTEGER;
    // Stable: artifacts with the same (missing) seq keep their creation-time order.
    list.sort((a, b) => seq(a.id) - seq(b.id));
    for (const [index, a] of list.entries()) {
      await db
        .updateTable('artifacts')
        .set({ position: index + 1 })
        .where('id', '=', a.id)
        .execute();
    }
  }
}

class StaticMigrations implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/** Brings the database to `target`, a migration's name (tests start from an older schema). */
export async function migrateTo(db: Kysely<unknown>, target: string): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrations() });
  const { error } = await migrator.migrateTo(target);
  if (error) throw error;
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  const migrator = new Migrator({ db, provider: new StaticMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const reason = error instanceof Error ? error.message : String(error ?? failed?.migrationName);
    throw new Error(`database migration failed: ${reason}`);
  }
}
