/**
 * The whole chain for end-to-end tests: a real control plane whose sandboxes are real bubblewrap
 * processes running the real supervisor and the real OpenCode, talking to the testkit's scripted
 * model. Tests drive it through the public HTTP API only.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentActivity, SessionEvent } from '@nightshift/protocol';
import { startModelServer, type ModelServer, type ModelServerOptions } from '@nightshift/testkit';
import type { StartOptions } from '../../src/server.js';
import { makeRepo, startTestServer, tempDir, type TestServer } from './harness.js';
import { sessionApi, type SessionApi } from './session-api.js';

export const MODEL = 'openai-compatible/scripted';

export interface AgentStack extends SessionApi {
  server: TestServer;
  model: ModelServer;
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
  return {
    ...sessionApi(server.client),
    server,
    model,
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
