import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Artifact, MessageStatus, SandboxStatus, SessionStatus } from '@nightshift/protocol';
import type { Database, MessagesTable, SandboxesTable, SessionsTable } from './schema.js';
import type {
  ArtifactRepo,
  BridgeCheckpoint,
  EventRepo,
  MessageRecord,
  MessageRepo,
  SandboxRecord,
  SandboxRepo,
  SecretRepo,
  SessionRecord,
  SessionRepo,
  Store,
  StoredEvent,
  UsageRepo,
} from './store.js';
import { People } from './people-repo.js';
import { BrowserSessions } from './browser-session-repo.js';
import { ApiTokens } from './api-token-repo.js';
import { Secrets } from './secrets-repo.js';
import { ModelUsage } from './usage-repo.js';

/** Rows per INSERT statement: keeps well under SQLite's bound-parameter limit. */
const EVENT_INSERT_CHUNK = 500;

/** The store over any Kysely dialect; dialect-specific setup lives in its own module. */
export class KyselyStore implements Store {
  readonly sessions: SessionRepo;
  readonly messages: MessageRepo;
  readonly events: EventRepo;
  readonly artifacts: ArtifactRepo;
  readonly sandboxes: SandboxRepo;
  readonly people: People;
  readonly browserSessions: BrowserSessions;
  readonly apiTokens: ApiTokens;
  readonly secrets: SecretRepo;
  readonly usage: UsageRepo;

  constructor(private readonly db: Kysely<Database>) {
    this.sandboxes = new Sandboxes(db);
    this.people = new People(db);
    this.browserSessions = new BrowserSessions(db);
    this.apiTokens = new ApiTokens(db);
    this.secrets = new Secrets(db);
    this.usage = new ModelUsage(db);
    this.sessions = new Sessions(db);
    this.messages = new Messages(db);
    this.events = new Events(db);
    this.artifacts = new Artifacts(db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

class Sessions implements SessionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values(sessionRow(s)).execute();
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row && sessionFromRow(row);
  }

  async list(filter: { status?: SessionStatus | 'active-or-created' }): Promise<SessionRecord[]> {
    let q = this.db.selectFrom('sessions').selectAll();
    if (filter.status === 'active-or-created') q = q.where('status', 'in', ['active', 'created']);
    else if (filter.status) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map(sessionFromRow);
  }

  async update(id: string, patch: Partial<Omit<SessionRecord, 'id' | 'createdAt'>>): Promise<void> {
    const row: Partial<SessionsTable> = {};
    if (patch.repo !== undefined) row.repo = patch.repo;
    if (patch.baseBranch !== undefined) row.base_branch = patch.baseBranch;
    if (patch.branch !== undefined) row.branch = patch.branch;
    if (patch.title !== undefined) row.title = patch.title;
    if (patch.model !== undefined) row.model = patch.model;
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.sandboxStatus !== undefined) row.sandbox_status = patch.sandboxStatus;
    if (patch.statusBeforeArchive !== undefined) row.status_before_archive = patch.statusBeforeArchive;
    if (patch.updatedAt !== undefined) row.updated_at = patch.updatedAt;
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('sessions').set(row).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    // Children first: not every dialect is configured to cascade.
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('events').where('session_id', '=', id).execute();
      await tx.deleteFrom('artifacts').where('session_id', '=', id).execute();
      await tx.deleteFrom('messages').where('session_id', '=', id).execute();
      await tx.deleteFrom('sandboxes').where('session_id', '=', id).execute();
      await tx.deleteFrom('sessions').where('id', '=', id).execute();
    });
  }
}

class Messages implements MessageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(m: MessageRecord): Promise<void> {
    await this.db
      .insertInto('messages')
      .values({
        id: m.id,
        session_id: m.sessionId,
        position: m.position,
        text: m.text,
        author_name: m.author.name,
        author_email: m.author.email,
        model: m.model,
        status: m.status,
        error: m.error,
        client_request_id: m.clientRequestId,
        created_at: m.createdAt,
        started_at: m.startedAt,
        finished_at: m.finishedAt,
      })
      .execute();
  }

  async get(sessionId: string, id: string): Promise<MessageRecord | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && messageFromRow(row);
  }

  async findByClientRequestId(
    sessionId: string,
    clientRequestId: string,
  ): Promise<MessageRecord | undefined> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('client_request_id', '=', clientRequestId)
      .executeTakeFirst();
    return row && messageFromRow(row);
  }

  async list(sessionId: string): Promise<MessageRecord[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('session_id', '=', sessionId)
      .orderBy('position')
      .execute();
    return rows.map(messageFromRow);
  }

  async listUnfinished(): Promise<MessageRecord[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('session_id')
      .orderBy('position')
      .execute();
    return rows.map(messageFromRow);
  }

  async maxPosition(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('messages')
      .select((eb) => eb.fn.max('position').as('max'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  async update(
    id: string,
    patch: Partial<Pick<MessageRecord, 'status' | 'error' | 'startedAt' | 'finishedAt'>>,
  ): Promise<void> {
    const row: Partial<MessagesTable> = {};
    if (patch.status !== undefined) row.status = patch.status;
    if (patch.error !== undefined) row.error = patch.error;
    if (patch.startedAt !== undefined) row.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) row.finished_at = patch.finishedAt;
    if (Object.keys(row).length === 0) return;
    await this.db.updateTable('messages').set(row).where('id', '=', id).execute();
  }
}

class Events implements EventRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async append(events: StoredEvent[], checkpoints: BridgeCheckpoint[] = []): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({
      session_id: e.sessionId,
      seq: e.seq,
      type: e.type,
      at: e.at,
      data: JSON.stringify(e.data),
    }));
    if (rows.length <= EVENT_INSERT_CHUNK && checkpoints.length === 0) {
      await this.db.insertInto('events').values(rows).execute();
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += EVENT_INSERT_CHUNK) {
        await tx
          .insertInto('events')
          .values(rows.slice(i, i + EVENT_INSERT_CHUNK))
          .execute();
      }
      for (const c of checkpoints) await advanceBridgeId(tx, c.sandboxId, c.lastBridgeId);
    });
  }

  async list(sessionId: string, after: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('session_id', '=', sessionId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      sessionId: r.session_id,
      seq: r.seq,
      type: r.type,
      at: r.at,
      data: JSON.parse(r.data),
    }));
  }

  async maxSeq(sessionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('seq').as('max'))
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    return Number(row?.max ?? 0);
  }
}

class Artifacts implements ArtifactRepo {
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
    return rows.map((r) => ({
      id: r.id,
      type: r.type as Artifact['type'],
      url: r.url,
      data: JSON.parse(r.data) as Record<string, unknown>,
      createdAt: r.created_at,
    }));
  }
}

class Sandboxes implements SandboxRepo {
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
async function advanceBridgeId(
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

function sessionRow(s: SessionRecord): SessionsTable {
  return {
    id: s.id,
    repo: s.repo,
    base_branch: s.baseBranch,
    branch: s.branch,
    title: s.title,
    model: s.model,
    status: s.status,
    sandbox_status: s.sandboxStatus,
    status_before_archive: s.statusBeforeArchive,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

function sessionFromRow(r: Selectable<SessionsTable>): SessionRecord {
  return {
    id: r.id,
    repo: r.repo,
    baseBranch: r.base_branch,
    branch: r.branch,
    title: r.title,
    model: r.model,
    status: r.status as SessionStatus,
    sandboxStatus: r.sandbox_status as SandboxStatus,
    statusBeforeArchive: r.status_before_archive as SessionStatus | null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function messageFromRow(r: Selectable<MessagesTable>): MessageRecord {
  return {
    id: r.id,
    sessionId: r.session_id,
    position: r.position,
    text: r.text,
    author: { name: r.author_name, email: r.author_email },
    model: r.model,
    status: r.status as MessageStatus,
    error: r.error,
    clientRequestId: r.client_request_id,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
  };
}
