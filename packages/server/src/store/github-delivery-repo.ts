import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { GitHubDeliveryRecord, GitHubDeliveryRepo } from './store.js';

export class GitHubDeliveries implements GitHubDeliveryRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async accept(d: Omit<GitHubDeliveryRecord, 'handledAt'>): Promise<boolean> {
    const result = await this.db
      .insertInto('github_deliveries')
      .values({ id: d.id, event: d.event, payload: d.payload, received_at: d.receivedAt, handled_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async unhandled(): Promise<GitHubDeliveryRecord[]> {
    const rows = await this.db
      .selectFrom('github_deliveries')
      .selectAll()
      .where('handled_at', 'is', null)
      .orderBy('received_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      event: r.event,
      payload: r.payload ?? '{}',
      receivedAt: r.received_at,
      handledAt: r.handled_at,
    }));
  }

  async prune(before: string): Promise<number> {
    const result = await this.db
      .deleteFrom('github_deliveries')
      .where('handled_at', 'is not', null)
      .where('received_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async markHandled(id: string, at: string): Promise<void> {
    await this.db
      .updateTable('github_deliveries')
      .set({ handled_at: at, payload: null })
      .where('id', '=', id)
      .execute();
  }
}
