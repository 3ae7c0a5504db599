import type { Message, Session, SessionEvent, UsageTotals } from '@nightshift/protocol';
import type { MessageRecord, SessionRecord, StoredEvent } from '../store/store.js';
import { redactUrl } from '../log.js';

/**
 * Stored records as every client sees them, over HTTP or WebSocket alike: the public shapes,
 * with nothing private in them (credentials in a repository URL are masked).
 */

export function sessionView(
  s: SessionRecord,
  queue: { running: string | null; queued: string[] },
  usage: UsageTotals,
): Session {
  return {
    id: s.id,
    repo: redactUrl(s.repo),
    baseBranch: s.baseBranch,
    branch: s.branch,
    title: s.title,
    model: s.model,
    status: s.status,
    sandbox: { status: s.sandboxStatus },
    queue,
    usage,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function messageView(m: MessageRecord): Message {
  return {
    id: m.id,
    text: m.text,
    author: m.author,
    model: m.model,
    status: m.status,
    error: m.error,
    createdAt: m.createdAt,
    startedAt: m.startedAt,
    finishedAt: m.finishedAt,
  };
}

export function eventView(e: StoredEvent): SessionEvent {
  return { seq: e.seq, type: e.type, at: e.at, data: e.data } as SessionEvent;
}
