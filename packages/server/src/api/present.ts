import type { Message, Session, SessionEvent } from '@nightshift/protocol';
import type { MessageRecord, SessionRecord, StoredEvent } from '../store/store.js';
import { redactUrl } from '../log.js';

/** Turns stored records into the public API's shapes (and nothing private into them). */

export function toSessionJson(
  s: SessionRecord,
  queue: { running: string | null; queued: string[] },
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
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function toMessageJson(m: MessageRecord): Message {
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

export function toSessionEvent(e: StoredEvent): SessionEvent {
  return { seq: e.seq, type: e.type, at: e.at, data: e.data } as SessionEvent;
}
