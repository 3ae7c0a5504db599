/**
 * The model proxy end to end, through the public API with a real bubblewrap sandbox, the real
 * OpenCode and the scripted model, which insists on a canary key: the prompt completes through
 * the proxy (so the key was added outside the sandbox), the key is in no process, file or answer
 * a sandbox or a client can see, the calls are counted on the session and in GET /api/usage, and a
 * person whose budget is used up has their next prompt fail before it runs, saying why.
 */
import { readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, text } from '@nightshift/testkit';
import type { UsageReport } from '@nightshift/protocol';
import { makeRepoWithFiles } from './support/agent-stack.js';
import { startShellStack, type ShellStack } from './support/agent-shell.js';
import { filesHolding, parseProbe, procProbe } from './support/secret-probes.js';
import { startTestServer } from './support/harness.js';
import { apiAt } from './support/agent-process.js';

const logLines: string[] = [];
const logDestination = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});
/** One dollar a day, at a dollar per million tokens: only the prompt that asks for it gets there. */
const BUDGET_USD = 1;
const SPENDER = { name: 'Grace Hopper', email: 'grace@example.com' };

let stack: ShellStack;

beforeAll(async () => {
  stack = await startShellStack({
    logLevel: 'debug',
    logDestination,
    models: {
      budgetUsdPerDay: BUDGET_USD,
      prices: { 'openai-compatible/scripted': { input: 1, output: 1 } },
    },
  });
});
afterAll(async () => {
  await stack?.close();
});

describe('a sandbox’s model traffic', () => {
  it('goes through the proxy, which adds the key: the key is nowhere the sandbox or a client can see', async () => {
    const { api, server, model, apiKey } = stack;
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'proxy\n' }));
    const before = model.requests.length;
    const output = await stack.agentRuns(session.id, procProbe('/state/probe', 'unused-marker'));

    // Every model request the agent made arrived with the real key, added outside the sandbox.
    const calls = model.requests.slice(before).filter((r) => r.chat);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(calls.map((r) => r.apiKey))).toEqual(new Set([apiKey]));

    // No process in the sandbox holds it in its environment (each one's environ, dumped from inside).
    const views = Object.values(parseProbe(output));
    expect(views.some((v) => v.environ === 'readable')).toBe(true); // the probe works
    const sessionDir = path.join(server.dataDir, 'sandboxes', session.id);
    expect(
      readdirSync(path.join(sessionDir, 'state', 'probe')).filter((f) => f.endsWith('.environ')),
    ).not.toEqual([]); // it dumped
    // Not in the environment, OpenCode's config or its state dir, the workspace or the session's logs;
    // nor the provider's real endpoint.
    expect(filesHolding(sessionDir, [apiKey, model.baseUrl, `${new URL(model.url).host}`])).toEqual([]);

    // Not in events, API answers or the server's log.
    const answers = JSON.stringify([
      await api.events(session.id),
      await server.client.getSession(session.id),
      await server.client.usage({}),
    ]);
    expect(answers).not.toContain(apiKey);
    expect(logLines.join('')).not.toContain(apiKey);
    expect(logLines.length).toBeGreaterThan(0);
  }, 180_000);

  it('is counted: per prompt on prompt_completed, per session, and per person and model in /api/usage', async () => {
    const { api, server } = stack;
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'usage\n' }));
    const messageId = await stack.promptRunning(session.id, 'echo counted');
    const ended = await api.waitForPromptEnd(session.id, messageId);
    expect(ended.status, ended.error ?? '').toBe('completed');
    const completed = (await api.events(session.id)).find(
      (e) => e.type === 'prompt_completed' && (e.data as { messageId: string }).messageId === messageId,
    );
    const usage = (completed?.data as { usage?: { inputTokens: number; outputTokens: number } }).usage;
    expect(usage?.inputTokens).toBeGreaterThan(0);
    expect(usage?.outputTokens).toBeGreaterThan(0);

    const view = await server.client.getSession(session.id);
    expect(view.usage.inputTokens).toBeGreaterThanOrEqual(usage!.inputTokens);
    const report: UsageReport = await server.client.usage({ sessionId: session.id });
    expect(report.totals.inputTokens).toBe(view.usage.inputTokens);
    expect(report.totals.costUsd).toBeCloseTo((view.usage.inputTokens + view.usage.outputTokens) / 1e6, 9);
    expect(report.byModel).toEqual([expect.objectContaining({ model: 'openai-compatible/scripted' })]);
    expect(report.byPerson).toHaveLength(1);
  }, 180_000);

  it('stops at a used-up budget: the next prompt fails before it runs, saying whose budget and when it resets', async () => {
    const { api, model } = stack;
    const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'budget\n' }));
    // One answer that reports two million tokens: two dollars, over the one-dollar budget.
    model.push(text('That was expensive.', { usage: { promptTokens: 2_000_000, completionTokens: 0 } }));
    const first = await api.prompt(session.id, 'Spend it all', SPENDER);
    const spent = await api.waitForPromptEnd(session.id, first.messageId);
    expect(spent, spent.error ?? '').toMatchObject({ status: 'completed' });

    const before = model.requests.length;
    const second = await api.prompt(session.id, 'One more', SPENDER);
    const done = await api.waitForPromptEnd(session.id, second.messageId);
    expect(done).toMatchObject({
      status: 'failed',
      error: `${SPENDER.email} has used today's model budget of $1.00 (resets 00:00 UTC)`,
    });
    expect(model.requests.slice(before).filter((r) => r.chat && !r.sideTask)).toEqual([]);
  }, 180_000);
});

describe('OpenCode’s own Anthropic provider', () => {
  it('reaches the provider through the proxy, in Anthropic’s wire format, with the real key', async () => {
    const key = `sk-ant-canary-${Math.random().toString(36).slice(2)}`;
    const anthropic = await startModelServer({
      apiKey: key,
      respond: () => text('Hello from the Messages API.'),
    });
    // The control plane's own environment: where provider keys live.
    process.env.ANTHROPIC_API_KEY = key;
    process.env.ANTHROPIC_BASE_URL = anthropic.baseUrl;
    const server = await startTestServer({
      model: 'anthropic/claude-sonnet-4-5',
      killSandboxesOnClose: true,
    });
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.ANTHROPIC_BASE_URL;
    try {
      const api = apiAt(server.url);
      const session = await api.createSession(makeRepoWithFiles({ 'README.md': 'anthropic\n' }));
      const { messageId } = await api.prompt(session.id, 'Say hello');
      const done = await api.waitForPromptEnd(session.id, messageId);
      expect(done.status, done.error ?? '').toBe('completed');
      const calls = anthropic.requests.filter((r) => r.chat);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.every((r) => r.format === 'anthropic' && r.apiKey === key)).toBe(true);
      const report = await server.client.usage({ sessionId: session.id });
      expect(report.byModel.map((m) => m.model)).toContain('anthropic/claude-sonnet-4-5');
      expect(report.totals.costUsd).toBeGreaterThan(0); // a built-in price
      expect(filesHolding(path.join(server.dataDir, 'sandboxes', session.id), [key])).toEqual([]);
    } finally {
      await server.stopAndClean();
      await anthropic.close();
    }
  }, 180_000);
});
