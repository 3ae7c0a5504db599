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

/** What the proxy needs of a ledger: the control plane's books, or a relay's journal of them. */
export interface Bookkeeper {
  attribute(sessionId: string): Promise<Attribution>;
  /** Why the call may not go on (its author's budget is used up), or null. */
  refusal(call: Attribution): Promise<string | null>;
  record(call: Attribution, provider: string, usage: CallUsage, id?: string, at?: Date): Promise<void>;
}

export class UsageLedger implements Bookkeeper {
  private readonly now: () => Date;

  constructor(private readonly options: LedgerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * The prompt a call made at `at` was for: the last one started by then. A call after its end
   * (OpenCode titles a session once the turn is over) is that prompt's doing too.
   */
  async attribute(sessionId: string, at: Date = this.now()): Promise<Attribution> {
    const when = at.toISOString();
    const started = (await this.options.store.messages.list(sessionId)).filter(
      (m) => m.startedAt !== null && m.startedAt <= when,
    );
    const prompt = started.sort((a, b) => (a.startedAt! < b.startedAt! ? -1 : 1)).at(-1);
    return { sessionId, messageId: prompt?.id ?? null, author: prompt?.author ?? null };
  }

  /** `id` makes it idempotent: a call journaled by a relay may be read twice, and is booked once. */
  async record(
    call: Attribution,
    provider: string,
    usage: CallUsage,
    id: string = newId('use'),
    at: Date = this.now(),
  ): Promise<void> {
    const { costUsd, priced } = costOf(this.options.prices, provider, usage);
    await this.options.store.usage.insert({
      id,
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
      createdAt: at.toISOString(),
    });
  }

  async refusal(call: Attribution): Promise<string | null> {
    return call.author ? this.budgetRefusal(call.author.email) : null;
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
