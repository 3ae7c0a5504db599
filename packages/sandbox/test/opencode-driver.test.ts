import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_FILE,
  demoResponder,
  git,
  providerError,
  startModelServer,
  text,
  toolCall,
  type ModelServer,
  type Responder,
} from '@nightshift/testkit';
import {
  buildOpenCodeConfig,
  OpenCodeDriver,
  startOpenCodeServer,
  type Activity,
  type OpenCodeServer,
} from '../src/opencode/index.js';

// One real OpenCode server and one scripted model for the whole file; each test gets its own
// OpenCode session through a fresh driver and scripts the model for its own turns.
let dir: string;
let workspace: string;
let model: ModelServer;
let server: OpenCodeServer;
/** When set, answers instead of the queued turns. */
let responder: Responder | undefined;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'nightshift-opencode-'));
  workspace = path.join(dir, 'workspace');
  await fs.mkdir(workspace);
  await git(['init', '--quiet', '--initial-branch=main'], workspace);
  await fs.writeFile(path.join(workspace, 'README.md'), '# scratch\n');
  await git(['add', '.'], workspace);
  await git(
    ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'init'],
    workspace,
  );

  model = await startModelServer({ respond: (request, context) => responder?.(request, context) });
  server = await startOpenCodeServer({
    cwd: workspace,
    stateDir: path.join(dir, 'opencode-state'),
    password: 'test-password-not-secret',
    config: buildOpenCodeConfig({
      defaultModel: 'openai-compatible/scripted',
      openaiCompatible: { baseUrl: model.baseUrl, models: ['scripted'] },
    }),
  });
});

afterAll(async () => {
  await server?.stop();
  await model?.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function newDriver(overrides: Partial<ConstructorParameters<typeof OpenCodeDriver>[0]> = {}) {
  return new OpenCodeDriver({
    url: server.url,
    authorization: server.authorization,
    directory: workspace,
    ...overrides,
  });
}

async function run(driver: OpenCodeDriver, textOfPrompt: string, signal?: AbortSignal) {
  const activities: Activity[] = [];
  const result = await driver.runPrompt({
    text: textOfPrompt,
    model: 'openai-compatible/scripted',
    onActivity: (a) => activities.push(a),
    ...(signal ? { signal } : {}),
  });
  return { result, activities };
}

const tools = (activities: Activity[]) => activities.filter((a) => a.kind === 'tool');
const texts = (activities: Activity[]) => activities.filter((a) => a.kind === 'text');

describe('OpenCode driver (real OpenCode, scripted model)', () => {
  it('streams the reply as true deltas and reports the step', async () => {
    const reply = 'Hello from the scripted model. This sentence arrives in many small pieces.';
    model.push(text(reply, { chunkDelayMs: 15 }));
    const driver = newDriver();
    const { result, activities } = await run(driver, 'Say hello');

    expect(result).toEqual({ outcome: 'completed' });
    const deltas = texts(activities);
    expect(deltas.length).toBeGreaterThan(3);
    expect(new Set(deltas.map((d) => d.partId)).size).toBe(1);
    expect(deltas.map((d) => d.delta).join('')).toBe(reply); // nothing re-sent, nothing lost
    expect(activities.some((a) => a.kind === 'text' && a.delta.includes('Say hello'))).toBe(false); // not the prompt
    const step = activities.find((a) => a.kind === 'step');
    expect(step).toMatchObject({
      kind: 'step',
      tokens: { input: expect.any(Number), output: expect.any(Number) },
      cost: 0,
    });
    expect(activities.at(-1)?.kind).toBe('step');
    expect(model.remainingTurns()).toBe(0);
  });

  it('reports a tool call as pending, running, completed with input and output', async () => {
    model.push(
      toolCall('write', { filePath: 'hello.txt', content: 'written by the agent\n' }),
      text('I wrote hello.txt.'),
    );
    const driver = newDriver();
    const { result, activities } = await run(driver, 'Create hello.txt');

    expect(result).toEqual({ outcome: 'completed' });
    const calls = tools(activities);
    expect(calls.map((c) => c.status)).toEqual(['pending', 'running', 'completed']);
    expect(new Set(calls.map((c) => c.callId)).size).toBe(1);
    expect(calls[1]).toMatchObject({
      tool: 'write',
      input: { filePath: 'hello.txt', content: 'written by the agent\n' },
    });
    expect(calls[2]).toMatchObject({ tool: 'write', output: expect.stringMatching(/wrote file/i) });
    expect(await fs.readFile(path.join(workspace, 'hello.txt'), 'utf8')).toBe('written by the agent\n');
    expect(
      texts(activities)
        .map((t) => t.delta)
        .join(''),
    ).toBe('I wrote hello.txt.');
    // The tool result went back to the model in the next request.
    expect(model.scriptedRequests().at(-1)?.messages.at(-1)).toMatchObject({ role: 'tool' });

    // The same OpenCode session carries the next prompt.
    const firstSession = driver.sessionId;
    model.push(text('Still here.'));
    expect((await run(driver, 'And now?')).result).toEqual({ outcome: 'completed' });
    expect(driver.sessionId).toBe(firstSession);
    expect(JSON.stringify(model.scriptedRequests().at(-1)?.messages)).toContain('Create hello.txt');
  });

  it('fails with the provider message when the model provider refuses', async () => {
    model.push(providerError(400, 'Scripted refusal: this key has no quota left'));
    const { result } = await run(newDriver(), 'Anything');
    expect(result).toEqual({ outcome: 'failed', error: 'Scripted refusal: this key has no quota left' });
  });

  it('gives up on a provider that keeps failing with a retryable error', async () => {
    model.push(providerError(503, 'Scripted overload'), providerError(503, 'Scripted overload, still'));
    const started = Date.now();
    const { result } = await run(newDriver({ maxProviderRetries: 1 }), 'Anything');
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/Scripted overload/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('fails clearly for a model OpenCode does not know', async () => {
    const activities: Activity[] = [];
    const result = await newDriver().runPrompt({
      text: 'x',
      model: 'openai-compatible/not-configured',
      onActivity: (a) => activities.push(a),
    });
    expect(result.outcome).toBe('failed');
    expect(result.error).toMatch(/not found/i);
  });

  it('runs the scripted demo: a file written through the write tool, then a summary', async () => {
    responder = demoResponder;
    try {
      const { result, activities } = await run(newDriver(), 'Please add a demo file');
      expect(result).toEqual({ outcome: 'completed' });
      expect(tools(activities).map((t) => t.status)).toEqual(['pending', 'running', 'completed']);
      expect(await fs.readFile(path.join(workspace, DEMO_FILE), 'utf8')).toContain('Please add a demo file');
      expect(
        texts(activities)
          .map((t) => t.delta)
          .join(''),
      ).toMatch(/not an AI/);
    } finally {
      responder = undefined;
    }
  });

  it('stops a long-running bash tool call within seconds', async () => {
    model.push(
      toolCall('bash', { command: 'sleep 60 && echo finished > slept.txt', description: 'Sleep a minute' }),
    );
    const controller = new AbortController();
    const activities: Activity[] = [];
    const driver = newDriver();
    let stopAt = 0;
    const result = await driver.runPrompt({
      text: 'Take your time',
      model: 'openai-compatible/scripted',
      signal: controller.signal,
      onActivity: (a) => {
        activities.push(a);
        if (a.kind === 'tool' && a.status === 'running' && !stopAt) {
          stopAt = Date.now();
          setTimeout(() => controller.abort(), 300);
        }
      },
    });
    expect(stopAt).toBeGreaterThan(0);
    expect(result).toEqual({ outcome: 'stopped' });
    expect(Date.now() - stopAt).toBeLessThan(5000);
    expect(tools(activities).at(-1)).toMatchObject({ tool: 'bash', status: 'error' });
    await new Promise((r) => setTimeout(r, 500));
    await expect(fs.access(path.join(workspace, 'slept.txt'))).rejects.toThrow();
  });
});
