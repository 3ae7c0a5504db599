/**
 * A whole stack in which a test acts as the agent: the scripted model asks OpenCode, in a real
 * bubblewrap sandbox, to run the shell command the test names, and the test reads the tool's
 * output back from the timeline as any user would. The isolation and attack suites probe the
 * sandbox with it.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { ToolActivity } from '@nightshift/protocol';
import {
  startModelServer,
  taggedResponder,
  text,
  toolCall,
  type ModelServer,
  type Turn,
} from '@nightshift/testkit';
import type { StartOptions } from '../../src/server.js';
import { startTestServer, type TestServer } from './harness.js';
import { activityOf, MODEL } from './agent-stack.js';
import { apiAt } from './agent-process.js';

export interface ShellStack {
  server: TestServer;
  model: ModelServer;
  api: ReturnType<typeof apiAt>;
  /** The provider key the scripted model insists on: it must never show on a timeline. */
  apiKey: string;
  /** Runs one shell command as the agent of a session; resolves with the tool's output. */
  agentRuns(sessionId: string, command: string, options?: { timeoutMs?: number }): Promise<string>;
  /** Sends a prompt whose agent runs `command`, without waiting for it to end. */
  promptRunning(sessionId: string, command: string): Promise<string>;
  close(): Promise<void>;
}

export async function startShellStack(options: StartOptions = {}): Promise<ShellStack> {
  const apiKey = `sk-scripted-${randomBytes(16).toString('hex')}`;
  const routes = new Map<string, Turn[]>();
  const model = await startModelServer({
    models: ['scripted'],
    apiKey,
    respond: taggedResponder(routes),
  });
  const server = await startTestServer({
    model: MODEL,
    openaiCompatible: { baseUrl: model.baseUrl, apiKey },
    killSandboxesOnClose: true,
    ...options,
    sandbox: { idleMs: 120_000, ...options.sandbox },
  });
  const api = apiAt(server.url);

  const promptRunning = async (sessionId: string, command: string) => {
    const tag = `[run-${randomBytes(4).toString('hex')}]`;
    routes.set(tag, [toolCall('bash', { command, description: 'Run a command' }), text('Done.')]);
    return (await api.prompt(sessionId, `Run this ${tag}`)).messageId;
  };

  return {
    server,
    model,
    api,
    apiKey,
    promptRunning,
    async agentRuns(sessionId, command, { timeoutMs } = {}) {
      const messageId = await promptRunning(sessionId, command);
      const done = await api.waitForPromptEnd(sessionId, messageId, timeoutMs);
      expect(done.status, done.error ?? '').toBe('completed');
      const tool = activityOf(await api.events(sessionId), messageId).find(
        (a): a is ToolActivity => a.kind === 'tool' && (a.status === 'completed' || a.status === 'error'),
      );
      expect(tool, 'the agent ran the command').toBeDefined();
      return tool!.output ?? tool!.error ?? '';
    },
    async close() {
      await server.stopAndClean();
      await model.close();
    },
  };
}
