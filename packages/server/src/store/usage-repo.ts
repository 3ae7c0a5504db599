import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from './schema.js';
import type { ModelUsageRecord, UsageFilter, UsageRepo, UsageTotalsRecord } from './store.js';

type UsageQuery = SelectQueryBuilder<Database, 'model_usage', object>;

const sums = {
  inputTokens: sql<number>`coalesce(sum(input_tokens), 0)`.as('inputTokens'),
  outputTokens: sql<number>`coalesce(sum(output_tokens), 0)`.as('outputTokens'),
  costUsd: sql<number>`coalesce(sum(cost_usd), 0)`.as('costUsd'),
};

const totalsOf = (row: { inputTokens: unknown; outputTokens: unknown; costUsd: unknown }) => ({
  inputTokens: Number(row.inputTokens),
  outputTokens: Number(row.outputTokens),
  // Sums of float costs drift in the last digits; a micro-dollar is finer than any price.
  costUsd: Math.round(Number(row.costUsd) * 1e6) / 1e6,
});

export class ModelUsage implements UsageRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: ModelUsageRecord): Promise<void> {
    await this.db
      .insertInto('model_usage')
      .values({
        id: r.id,
        session_id: r.sessionId,
        message_id: r.messageId,
        author_email: r.authorEmail,
        author_name: r.authorName,
        provider: r.provider,
        model: r.model,
        input_tokens: r.inputTokens,
        output_tokens: r.outputTokens,
        cache_read_tokens: r.cacheReadTokens,
        cache_write_tokens: r.cacheWriteTokens,
        cost_usd: r.costUsd,
        priced: r.priced ? 1 : 0,
        created_at: r.createdAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async totals(filter: UsageFilter): Promise<UsageTotalsRecord> {
    const row = await this.filtered(filter)
      .select([sums.inputTokens, sums.outputTokens, sums.costUsd])
      .executeTakeFirst();
    return row ? totalsOf(row) : { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  }

  async totalsBySession(sessionIds: string[]): Promise<Map<string, UsageTotalsRecord>> {
    const totals = new Map<string, UsageTotalsRecord>();
    if (sessionIds.length === 0) return totals;
    const rows = await this.db
      .selectFrom('model_usage')
      .select(['session_id', sums.inputTokens, sums.outputTokens, sums.costUsd])
      .where('session_id', 'in', sessionIds)
      .groupBy('session_id')
      .execute();
    for (const row of rows) totals.set(row.session_id, totalsOf(row));
    return totals;
  }

  async byPerson(filter: UsageFilter): Promise<Array<UsageTotalsRecord & { email: string; name: string }>> {
    const rows = await this.filtered(filter)
      .select([
        sql<string>`coalesce(author_email, '')`.as('email'),
        sql<string>`coalesce(max(author_name), '')`.as('name'),
        sums.inputTokens,
        sums.outputTokens,
        sums.costUsd,
      ])
      .groupBy('author_email')
      .orderBy('email')
      .execute();
    return rows.map((row) => ({ email: row.email, name: row.name, ...totalsOf(row) }));
  }

  async byModel(filter: UsageFilter): Promise<Array<UsageTotalsRecord & { model: string }>> {
    const rows = await this.filtered(filter)
      .select([
        sql<string>`provider || '/' || model`.as('model'),
        sums.inputTokens,
        sums.outputTokens,
        sums.costUsd,
      ])
      .groupBy(['provider', 'model'])
      .orderBy('model')
      .execute();
    return rows.map((row) => ({ model: row.model, ...totalsOf(row) }));
  }

  private filtered(filter: UsageFilter): UsageQuery {
    let q: UsageQuery = this.db.selectFrom('model_usage');
    if (filter.sessionId !== undefined) q = q.where('session_id', '=', filter.sessionId);
    if (filter.messageId !== undefined) q = q.where('message_id', '=', filter.messageId);
    if (filter.email !== undefined) q = q.where('author_email', '=', filter.email);
    if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
    return q;
  }
}
