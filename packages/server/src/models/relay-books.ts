/**
 * The control plane's side of the model relays: books what their journals hold (attributed to
 * the prompt running in the session when it is booked) and tells each relay whether its running
 * prompt's author may still spend (`usage-journal.ts`). Runs every second for sessions with a
 * running prompt, and once more for a prompt as it ends, so its usage is on its prompt_completed.
 */
import type { Logger } from '../log.js';
import type { MessageRecord, Store } from '../store/store.js';
import type { UsageLedger } from './usage-ledger.js';
import { takeJournal, writeAllowance } from './usage-journal.js';

const SETTLE_EVERY_MS = 1000;

export class RelayBooks {
  private readonly settling = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly ledger: UsageLedger,
    private readonly store: Store,
    private readonly sessionDir: (sessionId: string) => string,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.settleRunning(), SETTLE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Books the session's journal and rewrites its allowance; one at a time per session. */
  settle(sessionId: string): Promise<void> {
    const previous = this.settling.get(sessionId) ?? Promise.resolve();
    const next = previous
      .then(() => this.settleNow(sessionId))
      .catch((err: unknown) => this.log.error({ err, sessionId }, 'could not book the model relay’s usage'));
    this.settling.set(sessionId, next);
    void next.then(() => {
      if (this.settling.get(sessionId) === next) this.settling.delete(sessionId);
    });
    return next;
  }

  /** The sessions' admission check, which also tells the relay the new prompt's allowance. */
  readonly admitPrompt = async (message: MessageRecord): Promise<string | null> => {
    const refusal = await this.ledger.admitPrompt(message);
    writeAllowance(this.sessionDir(message.sessionId), refusal);
    return refusal;
  };

  private async settleRunning(): Promise<void> {
    const running = (await this.store.messages.listUnfinished()).filter((m) => m.status === 'running');
    await Promise.all([...new Set(running.map((m) => m.sessionId))].map((id) => this.settle(id)));
  }

  private async settleNow(sessionId: string): Promise<void> {
    const dir = this.sessionDir(sessionId);
    const journal = takeJournal(dir);
    for (const entry of journal.entries) {
      const at = new Date(entry.at);
      await this.ledger.record(
        await this.ledger.attribute(sessionId, at),
        entry.provider,
        entry.usage,
        entry.id,
        at,
      );
    }
    journal.done();
    writeAllowance(dir, await this.ledger.refusal(await this.ledger.attribute(sessionId)));
  }
}
