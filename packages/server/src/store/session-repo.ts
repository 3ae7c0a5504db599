import type { Kysely, Selectable } from 'kysely';
import type { SandboxStatus, SessionStatus } from '@nightshift/protocol';
import type { Database, SessionsTable } from './schema.js';
import type { SessionRecord, SessionRepo } from './store.js';

export class Sessions implements SessionRepo {
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
