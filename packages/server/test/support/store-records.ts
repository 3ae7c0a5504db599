import type { Author } from '@nightshift/protocol';
import type { MessageRecord, SessionRecord } from '../../src/store/store.js';

/**
 * Rows put straight into a store, for tests and benches of what reads them (the model proxy, its
 * relay's books) without going through the session API: a session whose sandbox runs, and a
 * prompt that is running in it.
 */
export function activeSession(id: string, at = new Date().toISOString()): SessionRecord {
  return {
    id,
    repo: '/r',
    baseBranch: 'main',
    branch: `nightshift/${id}`,
    title: null,
    model: null,
    status: 'active',
    sandboxStatus: 'running',
    statusBeforeArchive: null,
    createdAt: at,
    updatedAt: at,
  };
}

export function runningPrompt(
  prompt: { id: string; sessionId: string; author: Author; position?: number },
  at = new Date().toISOString(),
): MessageRecord {
  return {
    position: 1,
    text: prompt.id,
    model: null,
    status: 'running',
    error: null,
    clientRequestId: null,
    createdAt: at,
    startedAt: at,
    finishedAt: null,
    ...prompt,
  };
}
