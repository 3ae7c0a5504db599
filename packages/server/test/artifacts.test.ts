import { afterEach, describe, expect, it } from 'vitest';
import type { Artifact, PromptAccepted, Session, SessionEvent } from '@nightshift/protocol';
import type { AgentRunner, PromptJob, PromptResult, RunContext } from '../src/sessions/agent-runner.js';
import { eventually, makeRepo, startTestServer, type TestServer } from './support/harness.js';

/**
 * Stands where a sandbox would and reports a burst of commits at once, the way a sandbox does
 * when a prompt's commits and the branch push are announced together: they share a millisecond.
 */
class BurstRunner implements AgentRunner {
  constructor(private readonly count: number) {}

  async run(job: PromptJob, ctx: RunContext): Promise<PromptResult> {
    await Promise.all(
      Array.from({ length: this.count }, (_, n) =>
        ctx.addArtifact({ type: 'commit', url: null, data: { n, messageId: job.messageId } }),
      ),
    );
    return { outcome: 'completed' };
  }

  async stop(): Promise<void> {}
}

let server: TestServer | undefined;
afterEach(async () => server?.stopAndClean());

async function promptAndWait(s: TestServer, sessionId: string, text: string): Promise<void> {
  const accepted = (await s.api<PromptAccepted>('POST', `/api/sessions/${sessionId}/prompts`, { text })).body;
  await eventually(async () => {
    const events = await timeline(s, sessionId);
    return events.some((e) => e.type === 'prompt_completed' && e.data.messageId === accepted.messageId);
  });
}

async function timeline(s: TestServer, sessionId: string): Promise<SessionEvent[]> {
  return (await s.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${sessionId}/events`)).body.events;
}

async function listed(s: TestServer, sessionId: string): Promise<Artifact[]> {
  return (await s.api<{ artifacts: Artifact[] }>('GET', `/api/sessions/${sessionId}/artifacts`)).body
    .artifacts;
}

function announced(events: SessionEvent[]): string[] {
  return events.filter((e) => e.type === 'artifact_created').map((e) => (e.data as Artifact).id);
}

describe('GET /api/sessions/:id/artifacts', () => {
  it('lists artifacts created within the same millisecond in timeline order, also after a restart', async () => {
    const perPrompt = 40;
    server = await startTestServer({ runner: new BurstRunner(perPrompt), model: 'test/model' });
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
    await promptAndWait(server, session.id, 'first');
    await promptAndWait(server, session.id, 'second');

    const events = await timeline(server, session.id);
    const artifacts = await listed(server, session.id);
    expect(artifacts).toHaveLength(2 * perPrompt);
    expect(artifacts.map((a) => a.id)).toEqual(announced(events));
    // Announced in the order they were reported, prompt by prompt.
    const order = Array.from({ length: perPrompt }, (_, n) => n);
    expect(artifacts.map((a) => a.data.n)).toEqual([...order, ...order]);

    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({ runner: new BurstRunner(perPrompt), model: 'test/model', dataDir });
    expect((await listed(server, session.id)).map((a) => a.id)).toEqual(announced(events));
  });
});
