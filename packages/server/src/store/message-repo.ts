import type { Kysely, Selectable } from 'kysely';
import type { MessageStatus } from '@nightshift/protocol';
import type { Database, MessagesTable } from './schema.js';
import type { MessageRecord, MessageRepo } from './store.js';

export class Messages implements MessageRepo {
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
