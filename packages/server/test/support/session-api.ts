import { ApiError, type NightshiftClient } from '@nightshift/client';
import type {
  Artifact,
  Author,
  CreateSessionBody,
  Message,
  PromptAccepted,
  Session,
  SessionEvent,
} from '@nightshift/protocol';
import { makeRepo } from './harness.js';

/** The public API as the end-to-end tests drive it: a session, its prompts and its stored timeline. */
export interface SessionApi {
  /** Creates a session on `repo` (a fresh local repository by default) and returns it. */
  createSession(repo?: string, body?: Partial<CreateSessionBody>): Promise<Session>;
  prompt(sessionId: string, text: string, author?: Author): Promise<PromptAccepted>;
  /** The whole stored timeline. */
  events(sessionId: string): Promise<SessionEvent[]>;
  /** Polls the stored timeline until some event matches; fails with the timeline's tail. */
  waitForEvent(
    sessionId: string,
    match: (e: SessionEvent) => boolean,
    timeoutMs?: number,
  ): Promise<SessionEvent>;
  /** Waits until the prompt has ended (`prompt_completed` of any outcome, or `prompt_cancelled`) and returns its message. */
  waitForPromptEnd(sessionId: string, messageId: string, timeoutMs?: number): Promise<Message>;
  messages(sessionId: string): Promise<Message[]>;
  artifacts(sessionId: string): Promise<Artifact[]>;
  session(sessionId: string): Promise<Session>;
  /** `POST /stop`; resolves once the server accepted it. */
  stop(sessionId: string, clearQueue?: boolean): Promise<void>;
}

const ADA: Author = { name: 'Ada Lovelace', email: 'ada@example.com' };

/**
 * `rideOutRestarts`: polling keeps going while nothing answers at the address, for tests that
 * stop the server and start another on the same port.
 */
export function sessionApi(
  client: NightshiftClient,
  options: { rideOutRestarts?: boolean } = {},
): SessionApi {
  const events = async (sessionId: string) => {
    const all: SessionEvent[] = [];
    for await (const page of client.eventPages(sessionId)) all.push(...page);
    return all;
  };
  const waitForEvent: SessionApi['waitForEvent'] = async (sessionId, match, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    let all: SessionEvent[] = [];
    for (;;) {
      try {
        all = await events(sessionId);
        const found = all.find(match);
        if (found) return found;
      } catch (err) {
        const restarting = err instanceof ApiError && err.kind === 'unreachable';
        if (!(options.rideOutRestarts && restarting)) throw err;
      }
      if (Date.now() > deadline) {
        const tail = all.slice(-15).map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.data).slice(0, 240)}`);
        throw new Error(`no matching event within ${timeoutMs} ms; timeline ends:\n${tail.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return {
    createSession: (repo = makeRepo(), body = {}) => client.createSession({ repo, title: 'e2e', ...body }),
    prompt: (sessionId, text, author = ADA) => client.prompt(sessionId, { text, author }),
    events,
    waitForEvent,
    async waitForPromptEnd(sessionId, messageId, timeoutMs = 120_000) {
      await waitForEvent(
        sessionId,
        (e) =>
          (e.type === 'prompt_completed' || e.type === 'prompt_cancelled') &&
          (e.data as { messageId?: string }).messageId === messageId,
        timeoutMs,
      );
      return (await client.messages(sessionId)).find((m) => m.id === messageId)!;
    },
    messages: (sessionId) => client.messages(sessionId),
    artifacts: (sessionId) => client.artifacts(sessionId),
    session: (sessionId) => client.getSession(sessionId),
    stop: (sessionId, clearQueue) => client.stop(sessionId, clearQueue === undefined ? {} : { clearQueue }),
  };
}
