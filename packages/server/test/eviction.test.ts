import { afterEach, describe, expect, it } from 'vitest';
import type { PromptAccepted, Session, SessionEvent } from '@nightshift/protocol';
import {
  eventually,
  expectContiguous,
  makeRepo,
  startTestServer,
  TestClient,
  type TestServer,
} from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';

let server: TestServer | undefined;
afterEach(async () => server?.stopAndClean());

describe('actor eviction', () => {
  it('evicts quiet sessions from memory and brings them back with the timeline intact', async () => {
    const runner = new ScriptedRunner({ autoComplete: true });
    server = await startTestServer({ runner, model: 'test/model', actorIdleMs: 100 });
    const s = server;
    const session = (await s.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
    await s.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'one' });
    await eventually(() => s.registry.liveCount() === 0, 5000);

    await s.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'two' });
    await eventually(async () => {
      const events = (await s.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`))
        .body.events;
      return events.filter((e) => e.type === 'prompt_completed').length === 2;
    });
    const events = (await s.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`)).body
      .events;
    expectContiguous(events);
  });

  it('keeps a session in memory while someone is watching it', async () => {
    server = await startTestServer({ model: null, actorIdleMs: 100 });
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
    const watcher = await TestClient.connect(server, session.id);
    await new Promise((r) => setTimeout(r, 1500));
    expect(server.registry.liveCount()).toBe(1);
    watcher.close();
    await eventually(() => server!.registry.liveCount() === 0, 5000);
  });
});
