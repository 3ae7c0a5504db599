/**
 * Prompts that do not simply succeed, through the public API with real sandboxes, the real
 * OpenCode and the scripted model: a stop in the middle of a long tool call, a model provider that
 * refuses or keeps failing, and the repository's own start/setup scripts.
 *
 * Each session's model turns are routed by a tag in its prompt text, so tests that run side by
 * side never take each other's turns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionEvent } from '@nightshift/protocol';
import { lastUserText, providerError, text, toolCall, type Turn } from '@nightshift/testkit';
import {
  activityOf,
  makeRepo,
  makeRepoWithFiles,
  startAgentStack,
  type AgentStack,
} from './support/agent-stack.js';

/** Turns per tag, in order; when a tag's turns run out, its `repeat` turn (if any) answers forever. */
const routes = new Map<string, { turns: Turn[]; repeat?: Turn }>();
function route(tag: string, turns: Turn[], repeat?: Turn) {
  routes.set(tag, { turns, ...(repeat ? { repeat } : {}) });
}

let stack: AgentStack;
beforeAll(async () => {
  stack = await startAgentStack({
    model: {
      respond: (request) => {
        const prompt = lastUserText(request);
        for (const [tag, r] of routes) if (prompt.includes(tag)) return r.turns.shift() ?? r.repeat;
        return undefined;
      },
    },
  });
});
afterAll(() => stack?.close());

const ofType = <T>(events: SessionEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => e.data as T);
const completionOf = (events: SessionEvent[], messageId: string) =>
  ofType<{ messageId: string; outcome: string; error?: string }>(events, 'prompt_completed').find(
    (c) => c.messageId === messageId,
  );
const replyOf = (events: SessionEvent[], messageId: string) =>
  activityOf(events, messageId)
    .map((a) => (a.kind === 'text' ? a.delta : ''))
    .join('');

describe('stop', () => {
  it('ends a long-running tool call, and the prompt queued behind it still runs', async () => {
    route('[stop-1]', [toolCall('bash', { command: 'sleep 600', description: 'Wait ten minutes' })]);
    route('[stop-2]', [text('The second prompt ran.')]);
    const session = await stack.createSession(makeRepo());
    const first = await stack.prompt(session.id, 'Wait for the slow job [stop-1]');
    const second = await stack.prompt(session.id, 'Then say something [stop-2]');
    expect(second.status).toBe('queued');

    await stack.waitForEvent(session.id, (e) => {
      const a = e.data as { messageId?: string; kind?: string; status?: string };
      return (
        e.type === 'sandbox_event' &&
        a.messageId === first.messageId &&
        a.kind === 'tool' &&
        a.status === 'running'
      );
    });
    await stack.stop(session.id);
    // A generous bound, not a measurement: without a working stop the tool runs for ten minutes.
    const stopped = await stack.waitForPromptEnd(session.id, first.messageId, 30_000);
    // Stopped by the sandbox, not abandoned by the control plane after its grace period.
    expect(stopped).toMatchObject({ status: 'stopped', error: null });

    const after = await stack.waitForPromptEnd(session.id, second.messageId);
    expect(after.status).toBe('completed');
    const events = await stack.events(session.id);
    expect(completionOf(events, first.messageId)).toMatchObject({ outcome: 'stopped' });
    // The stopped tool call is not left looking as if it still ran.
    const tools = activityOf(events, first.messageId).filter((a) => a.kind === 'tool');
    expect(tools.at(-1)).toMatchObject({ tool: 'bash', status: 'error' });
    expect(replyOf(events, second.messageId)).toBe('The second prompt ran.');
    // The stop did not take the sandbox down: the second prompt ran in the same one.
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(1);
  }, 150_000);
});

describe('model provider errors', () => {
  it.concurrent(
    'fail the prompt with the provider’s message when it refuses, and the next prompt works',
    async () => {
      route('[refuse-1]', [providerError(400, 'Scripted refusal: this key has no quota left')]);
      route('[refuse-2]', [text('Working again.')]);
      const session = await stack.createSession(makeRepo());
      const first = await stack.prompt(session.id, 'Do something [refuse-1]');
      const failed = await stack.waitForPromptEnd(session.id, first.messageId, 90_000);
      expect(failed).toMatchObject({ status: 'failed' });
      expect(failed.error).toContain('Scripted refusal: this key has no quota left');

      const second = await stack.prompt(session.id, 'Try again [refuse-2]');
      expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({
        status: 'completed',
        error: null,
      });
      const events = await stack.events(session.id);
      expect(completionOf(events, first.messageId)).toMatchObject({
        outcome: 'failed',
        error: expect.stringContaining('Scripted refusal: this key has no quota left'),
      });
      expect(replyOf(events, second.messageId)).toBe('Working again.');
    },
    150_000,
  );

  it.concurrent(
    'fail the prompt when the provider keeps failing with a retryable error, instead of retrying forever',
    async () => {
      // OpenCode retries a 500 with growing delays and no limit; the sandbox gives up after a few.
      // The provider asks for quick retries (as real ones do with retry-after) to keep this short.
      route(
        '[overload-1]',
        [],
        providerError(500, 'Scripted upstream failure, try later', { retryAfterMs: 200 }),
      );
      route('[overload-2]', [text('Back to normal.')]);
      const session = await stack.createSession(makeRepo());
      const first = await stack.prompt(session.id, 'Do something [overload-1]');
      const failed = await stack.waitForPromptEnd(session.id, first.messageId, 120_000);
      expect(failed).toMatchObject({ status: 'failed' });
      expect(failed.error).toContain('Scripted upstream failure, try later');
      const retried = stack.model.requests.filter((r) =>
        r.chat ? lastUserText(r.chat).includes('[overload-1]') && !r.sideTask : false,
      );
      expect(retried.length).toBeGreaterThan(1);

      const second = await stack.prompt(session.id, 'Try again [overload-2]');
      expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({
        status: 'completed',
      });
      expect(replyOf(await stack.events(session.id), second.messageId)).toBe('Back to normal.');
    },
    180_000,
  );
});

describe('repository scripts', () => {
  it('fails fast with start.sh’s output, and the next prompt gets a fresh sandbox', async () => {
    const repo = makeRepoWithFiles({
      'README.md': '# app\n',
      '.nightshift/start.sh':
        'echo "connecting to the database"\necho "database is not reachable" >&2\nexit 3\n',
      // .nightshift/ wins: the fallback would succeed.
      '.openinspect/start.sh': 'echo "the fallback must not run"\n',
    });
    route('[start-fails]', [text('The model must never be asked.')]);
    const session = await stack.createSession(repo);
    const first = await stack.prompt(session.id, 'Anything [start-fails]');
    const second = await stack.prompt(session.id, 'Anything else [start-fails]');
    // Generous bounds: a start that waited for its timeout would take 15 minutes.
    const failed = await stack.waitForPromptEnd(session.id, first.messageId, 60_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain('database is not reachable');
    expect(failed.error).toContain('.nightshift/start.sh failed with exit code 3');
    expect(await stack.waitForPromptEnd(session.id, second.messageId, 60_000)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('database is not reachable'),
    });

    const events = await stack.events(session.id);
    const start = ofType<{ status: string; phase?: string; output?: string }>(
      events,
      'sandbox_status',
    ).filter((s) => s.phase === 'start' && s.status === 'starting');
    expect(start).toHaveLength(2); // one per sandbox: the failed one was not reused
    expect(start[0]!.output).toContain('connecting to the database');
    expect(start[0]!.output).toContain('database is not reachable');
    expect(start[0]!.output).not.toContain('the fallback must not run');
    expect(ofType(events, 'sandbox_error')).toContainEqual({
      phase: 'start',
      message: expect.stringContaining('database is not reachable'),
    });
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(2);
    expect(ofType(events, 'sandbox_ready')).toEqual([]);
    expect(routes.get('[start-fails]')!.turns).toHaveLength(1);
  }, 150_000);

  it('runs .openinspect/start.sh when .nightshift/ has none, on every start, and setup.sh once', async () => {
    const repo = makeRepoWithFiles({
      'README.md': '# app\n',
      '.nightshift/setup.sh': 'echo "nightshift setup ran"\n',
      '.openinspect/setup.sh': 'echo "the setup fallback must not run"\n',
      '.openinspect/start.sh':
        'echo "openinspect start ran"\necho "started-by-openinspect $$" > /tmp/openinspect-marker\n',
    });
    route('[scripts-1]', [
      toolCall('bash', { command: 'cat /tmp/openinspect-marker', description: 'Read the marker' }),
      text('The marker is there.'),
    ]);
    route('[scripts-2]', [text('Second start is fine.')]);
    const session = await stack.createSession(repo);
    const first = await stack.prompt(session.id, 'Look for the marker [scripts-1]');
    expect(await stack.waitForPromptEnd(session.id, first.messageId)).toMatchObject({ status: 'completed' });

    // What start.sh did is there for the agent's tools.
    let events = await stack.events(session.id);
    const read = activityOf(events, first.messageId).find(
      (a) => a.kind === 'tool' && a.status === 'completed',
    );
    expect(read).toMatchObject({ tool: 'bash', output: expect.stringContaining('started-by-openinspect') });

    // A second sandbox on the same workspace: start.sh runs again, setup.sh does not.
    await stack.server.api('POST', `/api/sessions/${session.id}/archive`);
    await stack.waitForEvent(
      session.id,
      (e) => e.type === 'sandbox_status' && (e.data as { phase?: string }).phase === 'released',
    );
    await stack.server.api('POST', `/api/sessions/${session.id}/unarchive`);
    const second = await stack.prompt(session.id, 'Again [scripts-2]');
    expect(await stack.waitForPromptEnd(session.id, second.messageId)).toMatchObject({ status: 'completed' });

    events = await stack.events(session.id);
    expect(ofType(events, 'sandbox_spawning')).toHaveLength(2);
    const phases = ofType<{ status: string; phase?: string; output?: string; durationMs?: number }>(
      events,
      'sandbox_status',
    ).filter((s) => s.phase && s.durationMs !== undefined);
    expect(phases.map((p) => p.phase)).toEqual([
      'clone',
      'setup',
      'start',
      'opencode',
      'sync',
      'start',
      'opencode',
    ]);
    const setup = phases.find((p) => p.phase === 'setup')!;
    expect(setup.output).toContain('.nightshift/setup.sh succeeded');
    expect(setup.output).toContain('nightshift setup ran');
    for (const start of phases.filter((p) => p.phase === 'start')) {
      expect(start.output).toContain('.openinspect/start.sh succeeded');
      expect(start.output).toContain('openinspect start ran');
    }
  }, 180_000);
});
