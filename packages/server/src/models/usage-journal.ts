/**
 * The books of a model relay: a sandbox's own proxy on the host side, which outlives the control
 * plane (`sandboxes/local/model-relay.ts`), so a reply keeps streaming through a restart. It
 * cannot write to the store, so it journals each call in the session's directory (host side,
 * never bound into the sandbox), and the control plane books the journal (`RelayBooks`). The
 * budget comes the other way: the control plane writes the running prompt's refusal, if any, to
 * the allowance file the relay reads before each call.
 */
import { appendFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newId } from '../ids.js';
import type { Attribution, Bookkeeper } from './usage-ledger.js';
import type { CallUsage } from './usage-parse.js';

export const USAGE_JOURNAL = 'model-usage.jsonl';
export const ALLOWANCE_FILE = 'model-allowance';

export interface JournalEntry {
  id: string;
  /** When the call was made (ISO): it is booked to the prompt running then. */
  at: string;
  provider: string;
  usage: CallUsage;
}

/** The relay's side: appends, and reads the allowance; attribution is the control plane's. */
export class JournalBookkeeper implements Bookkeeper {
  constructor(
    private readonly sessionId: string,
    private readonly sessionDir: string,
  ) {}

  async attribute(): Promise<Attribution> {
    return { sessionId: this.sessionId, messageId: null, author: null };
  }

  async refusal(): Promise<string | null> {
    try {
      return readFileSync(path.join(this.sessionDir, ALLOWANCE_FILE), 'utf8').trim() || null;
    } catch {
      return null; // none written yet: no budget is known to be used up
    }
  }

  async record(_call: Attribution, provider: string, usage: CallUsage): Promise<void> {
    const entry: JournalEntry = { id: newId('use'), at: new Date().toISOString(), provider, usage };
    appendFileSync(path.join(this.sessionDir, USAGE_JOURNAL), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }
}

/**
 * Takes the journal's entries so far (the relay goes on appending to a new file), oldest first.
 * A journal taken but not yet booked when the control plane stopped is taken again first.
 */
export function takeJournal(sessionDir: string): { entries: JournalEntry[]; done(): void } {
  const journal = path.join(sessionDir, USAGE_JOURNAL);
  const taken = `${journal}.taken`;
  let text = '';
  try {
    text = readFileSync(taken, 'utf8');
  } catch {
    // Nothing left over.
  }
  try {
    renameSync(journal, `${journal}.new`);
    text += readFileSync(`${journal}.new`, 'utf8');
    writeFileSync(taken, text, { mode: 0o600 });
    rmSync(`${journal}.new`, { force: true });
  } catch {
    // No new calls.
  }
  const entries: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (
        typeof entry.id === 'string' &&
        typeof entry.at === 'string' &&
        typeof entry.provider === 'string' &&
        entry.usage
      )
        entries.push(entry);
    } catch {
      // A line cut short by a crash: the call it described is lost, nothing else.
    }
  }
  return { entries, done: () => rmSync(taken, { force: true }) };
}

export function writeAllowance(sessionDir: string, refusal: string | null): void {
  try {
    writeFileSync(path.join(sessionDir, ALLOWANCE_FILE), refusal ?? '', { mode: 0o600 });
  } catch {
    // The session has no sandbox directory yet: its first sandbox starts after this is decided.
  }
}
