/**
 * The whole chain for end-to-end tests: a real control plane whose sandboxes are real bubblewrap
 * processes running the real supervisor and the real OpenCode, talking to the testkit's scripted
 * model. Tests drive it through the public HTTP API only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AgentActivity,
  Artifact,
  Author,
  Message,
  PromptAccepted,
  Session,
  SessionEvent,
} from '@nightshift/protocol';
import { startModelServer, type ModelServer, type ModelServerOptions } from '@nightshift/testkit';
import type { StartOptions } from '../../src/server.js';
import { makeRepo, startTestServer, tempDir, type TestServer } from './harness.js';

export const MODEL = 'openai-compatible/scripted';

export interface AgentStack {
  server: TestServer;
  model: ModelServer;
  /** Creates a session on `repo` (a fresh local repository by default) and returns it. */
  createSession(repo?: string, body?: Record<string, unknown>): Promise<Session>;
  prompt(sessionId: string, text: string, author?: Author): Promise<PromptAccepted>;
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
  close(): Promise<void>;
}

export interface AgentStackOptions {
  model?: ModelServerOptions;
  server?: StartOptions;
}

export async function startAgentStack(options: AgentStackOptions = {}): Promise<AgentStack> {
  const model = await startModelServer({ models: ['scripted'], ...options.model });
  const server = await startTestServer({
    model: MODEL,
    openaiCompatible: { baseUrl: model.baseUrl, apiKey: null },
    killSandboxesOnClose: true,
    ...options.server,
    sandbox: { idleMs: 120_000, ...options.server?.sandbox },
  });
  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const res = await server.api<T>(method, route, body);
    if (res.status >= 300) throw new Error(`${method} ${route} → ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const events = async (sessionId: string) => {
    const all: SessionEvent[] = [];
    for (;;) {
      const after = all.at(-1)?.seq ?? 0;
      const page = await api<{ events: SessionEvent[]; hasMore?: boolean }>(
        'GET',
        `/api/sessions/${sessionId}/events?after=${after}&limit=1000`,
      );
      all.push(...page.events);
      if (page.events.length < 1000) return all;
    }
  };
  const waitForEvent: AgentStack['waitForEvent'] = async (sessionId, match, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await events(sessionId);
      const found = all.find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        const tail = all.slice(-12).map((e) => `${e.seq} ${e.type} ${JSON.stringify(e.data).slice(0, 200)}`);
        throw new Error(`no matching event within ${timeoutMs} ms; timeline ends:\n${tail.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  return {
    server,
    model,
    createSession: (repo = makeRepo(), body = {}) =>
      api<Session>('POST', '/api/sessions', { repo, title: 'e2e', ...body }),
    prompt: (sessionId, text, author = { name: 'Ada Lovelace', email: 'ada@example.com' }) =>
      api<PromptAccepted>('POST', `/api/sessions/${sessionId}/prompts`, { text, author }),
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
      const { messages } = await api<{ messages: Message[] }>('GET', `/api/sessions/${sessionId}/messages`);
      return messages.find((m) => m.id === messageId)!;
    },
    messages: async (sessionId) =>
      (await api<{ messages: Message[] }>('GET', `/api/sessions/${sessionId}/messages`)).messages,
    artifacts: async (sessionId) =>
      (await api<{ artifacts: Artifact[] }>('GET', `/api/sessions/${sessionId}/artifacts`)).artifacts,
    session: (sessionId) => api<Session>('GET', `/api/sessions/${sessionId}`),
    async stop(sessionId, clearQueue) {
      await api('POST', `/api/sessions/${sessionId}/stop`, clearQueue === undefined ? {} : { clearQueue });
    },
    async close() {
      await server.stopAndClean();
      await model.close();
    },
  };
}

/** `git log` of a branch in a repository, one `{sha, author, committer, subject}` per commit, newest first. */
export function commitsOn(repo: string, branch: string) {
  const out = execFileSync('git', ['log', '--format=%H%x1f%an <%ae>%x1f%cn <%ce>%x1f%s', branch], {
    cwd: repo,
    encoding: 'utf8',
  });
  return out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [sha, author, committer, subject] = line.split('\x1f');
      return { sha: sha!, author: author!, committer: committer!, subject: subject! };
    });
}

/** A local repository whose `main` has one commit holding `files` (path → content). */
export function makeRepoWithFiles(files: Record<string, string>, branch = 'main'): string {
  const dir = tempDir('ns-repo-');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', branch);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  git('add', '--all');
  git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'init');
  return dir;
}

/** The agent activity (`sandbox_event` data) of one prompt, in timeline order. */
export function activityOf(events: SessionEvent[], messageId: string): AgentActivity[] {
  return events
    .filter((e) => e.type === 'sandbox_event')
    .map((e) => e.data as AgentActivity)
    .filter((a) => a.messageId === messageId);
}

export { makeRepo, tempDir };
