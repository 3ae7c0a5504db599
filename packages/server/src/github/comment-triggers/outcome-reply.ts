import type { SessionEvent } from '@nightshift/protocol';

export type SubscribeToSession = (
  sessionId: string,
  onEvents: (events: SessionEvent[]) => void,
) => () => void;

export interface PromptEnding {
  outcome: 'completed' | 'stopped' | 'failed';
  error?: string;
}

/**
 * Listens to a session's timeline from before a prompt is submitted (so its end cannot slip by
 * unseen) and resolves with how that prompt ended, once its id is known. In memory: a restart
 * of the control plane in between means no outcome reply for it.
 */
export function watchPromptEnd(subscribe: SubscribeToSession, sessionId: string) {
  const ended = new Map<string, PromptEnding>();
  let waiting: { messageId: string; resolve(end: PromptEnding): void } | undefined;
  const unsubscribe = subscribe(sessionId, (events) => {
    for (const event of events) {
      if (event.type !== 'prompt_completed') continue;
      const end = { outcome: event.data.outcome, error: event.data.error };
      if (waiting?.messageId === event.data.messageId) {
        unsubscribe();
        waiting.resolve(end);
      } else ended.set(event.data.messageId, end);
    }
  });
  return {
    endOf(messageId: string): Promise<PromptEnding> {
      const already = ended.get(messageId);
      if (already) {
        unsubscribe();
        return Promise.resolve(already);
      }
      return new Promise((resolve) => (waiting = { messageId, resolve }));
    },
    cancel: unsubscribe,
  };
}

export function outcomeMessage(
  end: PromptEnding,
  where: { sessionUrl: string; branch: string; branchUrl: string; onPullRequest: boolean },
): string {
  switch (end.outcome) {
    case 'completed':
      return where.onPullRequest
        ? `Done: pushed to \`${where.branch}\`, this pull request has the new commits. Details: ${where.sessionUrl}`
        : `Done: the changes are on [\`${where.branch}\`](${where.branchUrl}). Open a pull request from ${where.sessionUrl}`;
    case 'stopped':
      return `Stopped before finishing${end.error ? `: ${sentence(end.error)}` : '.'} ${where.sessionUrl}`;
    case 'failed':
      return `That failed: ${sentence(end.error ?? 'no reason given')} See ${where.sessionUrl}`;
  }
}

/** A reason as a sentence: ending in one full stop, whatever it ended with. */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
