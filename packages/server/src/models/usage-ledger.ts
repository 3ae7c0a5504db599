/**
 * Where proxied model calls are booked: to the session, the prompt running in it at that moment
 * and that prompt's author, at the price the table gives; and the budget checks that read it.
 */
import type { Author, UsageReport } from '@nightshift/protocol';
import type { MessageRecord, Store, UsageFilter } from '../store/store.js';
import { newId } from '../ids.js';
import { budgetVerdict, utcDayStart } from './budget.js';
import { costOf, type PriceTable } from './prices.js';
import type { CallUsage } from './usage-parse.js';

export interface LedgerOptions {
  store: Store;
  prices: PriceTable;
  budgetUsdPerDay: number | null;
  now?: () => Date;
}

/** Whom a call is for: the prompt running in its session, and the person who sent it. */
export interface Attribution {
  sessionId: string;
  messageId: string | null;
  author: Author | null;
}

export class UsageLedger {
  private readonly now: () => Date;

  constructor(private readonly options: LedgerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async attribute(sessionId: string): Promise<Attribution> {
    const messages = await this.options.store.messages.list(sessionId);
    const running = messages.find((m) => m.status === 'running');
    return { sessionId, messageId: running?.id ?? null, author: running?.author ?? null };
  }

  async record(call: Attribution, provider: string, usage: CallUsage): Promise<void> {
    const { costUsd, priced } = costOf(this.options.prices, provider, usage);
    await this.options.store.usage.insert({
      id: newId('use'),
      sessionId: call.sessionId,
      messageId: call.messageId,
      authorEmail: call.author?.email ?? null,
      authorName: call.author?.name ?? null,
      provider,
      model: usage.model ?? 'unknown',
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cacheReadTokens: usage.cacheReadTokens,
      cacheWriteTokens: usage.cacheWriteTokens,
      costUsd,
      priced,
      createdAt: this.now().toISOString(),
    });
  }

  /** Null while the person may use models today; otherwise why not, in one line. */
  async budgetRefusal(email: string): Promise<string | null> {
    if (this.options.budgetUsdPerDay === null) return null;
    const spent = await this.options.store.usage.totals({ email, since: utcDayStart(this.now()) });
    return budgetVerdict({
      budgetUsdPerDay: this.options.budgetUsdPerDay,
      email,
      spentTodayUsd: spent.costUsd,
    });
  }

  /** The sessions' admission check: a prompt whose author has used today's budget does not run. */
  readonly admitPrompt = (message: MessageRecord): Promise<string | null> =>
    this.budgetRefusal(message.author.email);

  async report(filter: { sessionId?: string; email?: string; days?: number }): Promise<UsageReport> {
    const where: UsageFilter = {
      ...(filter.sessionId !== undefined ? { sessionId: filter.sessionId } : {}),
      ...(filter.email !== undefined ? { email: filter.email } : {}),
      ...(filter.days !== undefined
        ? { since: new Date(this.now().getTime() - filter.days * 86_400_000).toISOString() }
        : {}),
    };
    const usage = this.options.store.usage;
    const [totals, byPerson, byModel] = await Promise.all([
      usage.totals(where),
      usage.byPerson(where),
      usage.byModel(where),
    ]);
    return { totals, byPerson, byModel };
  }
}
