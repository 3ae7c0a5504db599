/**
 * Failures around a running prompt, through the public API with real bubblewrap sandboxes, the
 * real OpenCode and the scripted model: the control plane restarting under it (killed or told to
 * stop), its sandbox crashing or freezing, and a sandbox released for idleness coming back.
 *
 * Each prompt's model turns are routed by a tag in its text, so no test takes another's turns.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '@nightshift/protocol';
import {
  startModelServer,
  taggedResponder,
  text,
  toolCall,
  type ModelServer,
  type Turn,
} from '@nightshift/testkit';
import { expectContiguous, TestClient } from './support/harness.js';
import {
  activityOf,
  commitsOn,
  makeRepo,
  startAgentStack,
  tempDir,
  type AgentStack,
} from './support/agent-stack.js';
import {
  apiAt,
  freePort,
  killSandboxesOf,
  sandboxProcesses,
  spawnAgentServer,
  type AgentServerProcess,
} from './support/agent-process.js';

const routes = new Map<string, Turn[]>();
const route = (tag: string, turns: Turn[]) => routes.set(tag, turns);
const respond = taggedResponder(routes);

const ofType = <T>(events: SessionEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => e.data as T);
const replyOf = (events: SessionEvent[], messageId: string) =>
  activityOf(events, messageId)
    .map((a) => (a.kind === 'text' ? a.delta : ''))
    .join('');
const isActivity =
  (messageId: string, kind: string, status?: string) =>
  (e: SessionEvent): boolean => {
    const a = e.data as { messageId?: string; kind?: string; status?: string };
    return (
      e.type === 'sandbox_event' &&
      a.messageId === messageId &&
      a.kind === kind &&
      (status === undefined || a.status === status)
    );
  };

const GRACE = { name: 'Grace Hopper', email: 'grace@example.com' };

describe('control-plane restart in the middle of a prompt', () => {
  let model: ModelServer;
  const servers: AgentServerProcess[] = [];
  const dataDirs: string[] = [];
  beforeAll(async () => {
    model = await startModelServer({ models: ['scripted'], respond });
  });
  afterEach(() => {
    for (const s of servers.splice(0)) s.child.kill('SIGKILL');
    // Sandboxes outlive their control plane by design; a test's must not outlive the test.
    for (const dir of dataDirs.splice(0)) {
      killSandboxesOf(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  afterAll(() => model?.close());

  /**
   * Two prompts, the first interrupted by the restart. `interrupt` decides when the old control
   * plane goes (the prompt is running by then) and what happens before the new one starts.
   */
  async function survivesRestart(
    tag: string,
    firstTurns: Turn[],
    interrupt: (ctx: {
      server: AgentServerProcess;
      api: ReturnType<typeof apiAt>;
      sessionId: string;
      messageId: string;
      dataDir: string;
    }) => Promise<void>,
    reply: string,
  ) {
    const dataDir = tempDir('ns-data-');
    dataDirs.push(dataDir);
    const port = await freePort();
    const options = { sandbox: { idleMs: 120_000 } };
    const server = await spawnAgentServer(dataDir, port, model.baseUrl, options);
    servers.push(server);
    const api = apiAt(server.url);
    const repo = makeRepo();
    const session = await api.createSession(repo);
    route(`[${tag}-1]`, firstTurns);
    route(`[${tag}-2]`, [text('The queued prompt ran after the restart.')]);
    const first = await api.prompt(session.id, `Write the file [${tag}-1]`, GRACE);
    const second = await api.prompt(session.id, `Then say so [${tag}-2]`);
    expect(second.status).toBe('queued');

    await interrupt({ server, api, sessionId: session.id, messageId: first.messageId, dataDir });
    const next = await spawnAgentServer(dataDir, port, model.baseUrl, options);
    servers.push(next);

    const done = await api.waitForPromptEnd(session.id, first.messageId);
    expect(done).toMatchObject({ status: 'completed', error: null });
    expect(await api.waitForPromptEnd(session.id, second.messageId)).toMatchObject({ status: 'completed' });

    const events = await api.events(session.id);
    expectContiguous(events);
    // Every delta arrived once, in order, across the restart.
    expect(replyOf(events, first.messageId)).toBe(reply);
    expect(replyOf(events, second.messageId)).toBe('The queued prompt ran after the restart.');
    // No agent event was applied twice (a re-sent bridge message must not be stored again).
    const agentEvents = events
      .filter((e) => e.type === 'sandbox_event' && (e.data as { kind: string }).kind !== 'text')
      .map((e) => JSON.stringify(e.data));
    expect(agentEvents).toEqual([...new Set(agentEvents)]);
    expect(ofType<{ messageId: string }>(events, 'prompt_completed').map((c) => c.messageId)).toEqual([
      first.messageId,
      second.messageId,
    ]);
    // The prompt went on in the sandbox it started in: nothing was started again.
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(1);

    const commits = commitsOn(repo, session.branch);
    expect(commits[0]).toMatchObject({
      author: 'Grace Hopper <grace@example.com>',
      committer: 'Nightshift <bot@nightshift.local>',
    });
    const artifacts = ofType<{ type: string; data: { sha?: string; pushed?: boolean; messageId?: string } }>(
      events,
      'artifact_created',
    );
    expect(artifacts.filter((a) => a.type === 'commit')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ messageId: first.messageId, pushed: true }),
      }),
    ]);
    return { events, first, session };
  }

  it('kill -9 while the reply streams: the prompt completes, nothing lost or doubled, the queue runs', async () => {
    const reply = Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} of a slow reply.`).join(' ');
    await survivesRestart(
      'kill9',
      [
        toolCall('write', { filePath: 'restart.txt', content: 'written before the restart\n' }),
        text(reply, { chunkDelayMs: 120 }),
      ],
      async ({ server, sessionId, messageId, dataDir }) => {
        // Killed the moment a delta is out, with the acknowledgement of its bridge message to
        // the sandbox likely still on its way: the delta must not be applied a second time.
        const watcher = new TestClient(`${server.url.replace('http', 'ws')}/api/sessions/${sessionId}/ws`);
        await watcher.waitFor(() => watcher.events().some(isActivity(messageId, 'text')), 90_000);
        server.child.kill('SIGKILL');
        await server.exited;
        // The sandbox is not the control plane's child: it carries on alone.
        expect(sandboxProcesses(dataDir, sessionId).length).toBeGreaterThan(0);
      },
      reply,
    );
  }, 150_000);

  it('SIGTERM during a tool call, the prompt ending while no control plane runs: its result still lands', async () => {
    const reply = 'Slept, wrote, done.';
    await survivesRestart(
      'term',
      [
        toolCall('bash', { command: 'sleep 2 && echo slept > slept.txt', description: 'Sleep, then write' }),
        text(reply),
      ],
      async ({ server, api, sessionId, messageId, dataDir }) => {
        await api.waitForEvent(sessionId, isActivity(messageId, 'tool', 'running'));
        server.child.kill('SIGTERM');
        expect((await server.exited).code).toBe(0);
        // Start the next control plane only once the agent's turn is over in the sandbox: its
        // commit, push and result must wait there for the next one.
        const log = path.join(dataDir, 'sandboxes', sessionId, 'supervisor.log');
        await waitFor(() => readFileSync(log, 'utf8').includes('before pushing'), 60_000);
      },
      reply,
    );
  }, 150_000);
});

describe('a sandbox that crashes or freezes', () => {
  let stack: AgentStack;
  beforeAll(async () => {
    stack = await startAgentStack({
      model: { respond },
      server: { sandbox: { heartbeatStaleMs: 4000 } },
    });
  });
  afterAll(() => stack?.close());

  async function failsThenRecovers(tag: string, breakIt: (sessionId: string) => void) {
    route(`[${tag}-1]`, [toolCall('bash', { command: 'sleep 600', description: 'A long job' })]);
    route(`[${tag}-2]`, [text('A fresh sandbox answered.')]);
    const session = await stack.createSession(makeRepo());
    const first = await stack.prompt(session.id, `Run the long job [${tag}-1]`);
    await stack.waitForEvent(session.id, isActivity(first.messageId, 'tool', 'running'));
    breakIt(session.id);
    // Bounded only so a hang fails the test: without detection the tool runs for ten minutes.
    const failed = await stack.waitForPromptEnd(session.id, first.messageId, 60_000);
    expect(failed.status).toBe('failed');
    const second = await stack.prompt(session.id, `Try again [${tag}-2]`);
    expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({ status: 'completed' });
    const events = await stack.events(session.id);
    expect(replyOf(events, second.messageId)).toBe('A fresh sandbox answered.');
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(2);
    expect(ofType<{ message: string }>(events, 'sandbox_error').map((e) => e.message)).toContain(
      failed.error,
    );
    expect((await stack.session(session.id)).sandbox).toMatchObject({ status: 'ready' });
    return failed;
  }

  it('a killed supervisor fails the running prompt with the reason, and the next prompt gets a fresh sandbox', async () => {
    const failed = await failsThenRecovers('crash', (sessionId) => {
      const procs = sandboxProcesses(stack.server.dataDir, sessionId);
      const supervisor = procs.find((p) => p.cmdline.includes('packages/sandbox/dist/main.js'));
      expect(supervisor).toBeDefined();
      process.kill(supervisor!.pid, 'SIGKILL');
    });
    expect(failed.error).toMatch(/^the sandbox (exited with code|was killed)/);
  }, 150_000);

  it('a frozen sandbox is taken for dead after the heartbeat timeout, and the next prompt recovers', async () => {
    const failed = await failsThenRecovers('freeze', (sessionId) => {
      // Everything inside the sandbox stops: it neither exits nor says anything any more.
      const procs = sandboxProcesses(stack.server.dataDir, sessionId).filter(
        (p) => !p.cmdline.startsWith('/bin/sh'),
      );
      expect(procs.length).toBeGreaterThan(0);
      for (const p of procs) process.kill(p.pid, 'SIGSTOP');
    });
    expect(failed.error).toBe('the sandbox stopped answering for 4 s');
  }, 150_000);
});

describe('idle sandboxes', () => {
  let stack: AgentStack;
  beforeAll(async () => {
    stack = await startAgentStack({ model: { respond }, server: { sandbox: { idleMs: 1000 } } });
  });
  afterAll(() => stack?.close());

  it('are released after the idle timeout, and the next prompt starts one again with the session’s work', async () => {
    route('[idle-1]', [
      toolCall('write', { filePath: 'kept.txt', content: 'from the first sandbox\n' }),
      text('Wrote it.'),
    ]);
    route('[idle-2]', [
      toolCall('bash', { command: 'cat kept.txt', description: 'Read it back' }),
      text('Read it.'),
    ]);
    const session = await stack.createSession(makeRepo());
    const first = await stack.prompt(session.id, 'Write kept.txt [idle-1]');
    expect(await stack.waitForPromptEnd(session.id, first.messageId)).toMatchObject({ status: 'completed' });

    await stack.waitForEvent(
      session.id,
      (e) => e.type === 'sandbox_status' && (e.data as { phase?: string }).phase === 'released',
      30_000,
    );
    expect((await stack.session(session.id)).sandbox).toMatchObject({ status: 'stopped' });
    expect(sandboxProcesses(stack.server.dataDir, session.id)).toEqual([]);

    const second = await stack.prompt(session.id, 'Read kept.txt back [idle-2]');
    expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({ status: 'completed' });
    const events = await stack.events(session.id);
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(2);
    const read = activityOf(events, second.messageId).find(
      (a) => a.kind === 'tool' && a.tool === 'bash' && a.status === 'completed',
    );
    expect(read).toMatchObject({ output: expect.stringContaining('from the first sandbox') });
    // Released means gone, not failed: nothing in the timeline reports an error.
    expect(ofType(events, 'sandbox_error')).toEqual([]);
  }, 150_000);
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
