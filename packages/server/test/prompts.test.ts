import { afterEach, describe, expect, it } from 'vitest';
import type { Message, PromptAccepted, Session, SessionEvent } from '@nightshift/protocol';
import {
  eventually,
  expectContiguous,
  makeRepo,
  startTestServer,
  type TestServer,
} from './support/harness.js';
import { ScriptedRunner } from './support/scripted-runner.js';
import { NO_MODEL_ERROR } from '../src/sessions/prompt-failures.js';

const ada = { name: 'Ada Lovelace', email: 'ada@example.com' };
const bob = { name: 'Bob', email: 'bob@example.com' };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stopAndClean();
  server = undefined;
});

async function setup(runner = new ScriptedRunner()) {
  server = await startTestServer({ runner, model: 'test/model', stopGraceMs: 500 });
  const session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
  const s = server;
  const prompt = (body: object) =>
    s.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { author: ada, ...body });
  const messages = async () =>
    (await s.api<{ messages: Message[] }>('GET', `/api/sessions/${session.id}/messages`)).body.messages;
  const events = async () =>
    (await s.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`)).body.events;
  const view = async () => (await s.api<Session>('GET', `/api/sessions/${session.id}`)).body;
  return { runner, session, prompt, messages, events, view, server: s };
}

describe('prompt queue', () => {
  it('runs prompts one at a time in the order accepted, with positions', async () => {
    const { runner, prompt, messages, view } = await setup();
    const a = (await prompt({ text: 'first' })).body;
    const b = (await prompt({ text: 'second', author: bob })).body;
    const c = (await prompt({ text: 'third' })).body;
    expect([a.status, a.position]).toEqual(['running', 0]);
    expect([b.status, b.position]).toEqual(['queued', 1]);
    expect([c.status, c.position]).toEqual(['queued', 2]);
    expect((await view()).queue).toEqual({ running: a.messageId, queued: [b.messageId, c.messageId] });
    expect(runner.running()).toEqual([a.messageId]);

    runner.finish(a.messageId);
    await eventually(() => runner.running()[0] === b.messageId);
    expect(runner.started.map((j) => j.text)).toEqual(['first', 'second']);
    expect(runner.started[1]!.author).toEqual(bob);
    runner.finish(b.messageId, { outcome: 'failed', error: 'model said no' });
    await eventually(() => runner.running()[0] === c.messageId);
    runner.finish(c.messageId);
    await eventually(async () =>
      (await messages()).every((m) => m.status !== 'running' && m.status !== 'queued'),
    );
    const list = await messages();
    expect(list.map((m) => [m.text, m.status, m.error])).toEqual([
      ['first', 'completed', null],
      ['second', 'failed', 'model said no'],
      ['third', 'completed', null],
    ]);
    expect(list.every((m) => m.startedAt && m.finishedAt)).toBe(true);
    expect((await view()).status).toBe('active');
  });

  it('yields one prompt for a repeated clientRequestId, even when sent concurrently', async () => {
    const { prompt, messages } = await setup();
    const answers = await Promise.all(
      [1, 2, 3].map(() => prompt({ text: 'once', clientRequestId: 'req-1' })),
    );
    expect(new Set(answers.map((a) => a.body.messageId)).size).toBe(1);
    expect((await messages()).length).toBe(1);
  });

  it('cancels a queued prompt; cancelling a running or finished one is a 409', async () => {
    const { session, prompt, runner, events, server } = await setup();
    const a = (await prompt({ text: 'a' })).body;
    const b = (await prompt({ text: 'b' })).body;
    const cancelled = await server.api<Message>(
      'DELETE',
      `/api/sessions/${session.id}/prompts/${b.messageId}`,
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await server.api('DELETE', `/api/sessions/${session.id}/prompts/${a.messageId}`)).status).toBe(
      409,
    );
    expect((await server.api('DELETE', `/api/sessions/${session.id}/prompts/${b.messageId}`)).status).toBe(
      409,
    );
    runner.finish(a.messageId);
    await eventually(async () => (await events()).some((e) => e.type === 'prompt_completed'));
    expect(runner.started.map((j) => j.text)).toEqual(['a']);
    expect(
      (await events()).some((e) => e.type === 'prompt_cancelled' && e.data.messageId === b.messageId),
    ).toBe(true);
  });

  it('stop ends the running prompt as stopped and the queue carries on', async () => {
    const { session, prompt, runner, messages, server } = await setup();
    const a = (await prompt({ text: 'a' })).body;
    const b = (await prompt({ text: 'b' })).body;
    expect((await server.api('POST', `/api/sessions/${session.id}/stop`, {})).status).toBe(202);
    await eventually(() => runner.running()[0] === b.messageId);
    const list = await messages();
    expect(list.find((m) => m.id === a.messageId)!.status).toBe('stopped');
    expect(list.find((m) => m.id === b.messageId)!.status).toBe('running');
    expect(runner.stops).toBe(1);
  });

  it('stop with clearQueue cancels everything waiting', async () => {
    const { session, prompt, runner, messages, server } = await setup();
    await prompt({ text: 'a' });
    await prompt({ text: 'b' });
    await prompt({ text: 'c' });
    await server.api('POST', `/api/sessions/${session.id}/stop`, { clearQueue: true });
    await eventually(async () =>
      (await messages()).every((m) => m.status === 'stopped' || m.status === 'cancelled'),
    );
    expect((await messages()).map((m) => m.status)).toEqual(['stopped', 'cancelled', 'cancelled']);
    expect(runner.started).toHaveLength(1);
  });

  it('a runner that ignores stop is abandoned after the grace period, so the queue never hangs', async () => {
    const stubborn = new ScriptedRunner();
    stubborn.stop = async () => {}; // the sandbox never answers
    const { session, prompt, runner, messages, server } = await setup(stubborn);
    // Make the run ignore its abort signal as well.
    const run = runner.run.bind(runner);
    runner.run = (job, ctx) => run(job, { ...ctx, signal: new AbortController().signal });
    const a = (await prompt({ text: 'a' })).body;
    const b = (await prompt({ text: 'b' })).body;
    await server.api('POST', `/api/sessions/${session.id}/stop`, {});
    await eventually(() => runner.started.length === 2, 5000);
    const list = await messages();
    expect(list.find((m) => m.id === a.messageId)!.status).toBe('stopped');
    expect(list.find((m) => m.id === b.messageId)!.status).toBe('running');
    // Whatever ran the stubborn prompt was discarded before the next prompt started.
    expect(runner.abandoned).toEqual([
      { sessionId: session.id, reason: expect.stringContaining('abandoned'), startedBefore: 1 },
    ]);
  });

  it('archived sessions refuse prompts with 409; archiving stops and cancels what was there', async () => {
    const { session, prompt, messages, server } = await setup();
    await prompt({ text: 'a' });
    await prompt({ text: 'b' });
    await server.api('POST', `/api/sessions/${session.id}/archive`);
    const refused = await prompt({ text: 'c' });
    expect(refused.status).toBe(409);
    await eventually(async () => (await messages()).map((m) => m.status).join() === 'stopped,cancelled');
    const restored = await server.api<Session>('POST', `/api/sessions/${session.id}/unarchive`);
    expect(restored.body.status).toBe('active');
    expect((await prompt({ text: 'd' })).status).toBe(202);
  });

  it('records the timeline of a prompt with contiguous seqs and streamed text', async () => {
    const { prompt, runner, events } = await setup();
    const a = (await prompt({ text: 'a' })).body;
    runner.emit(a.messageId, 'Hello');
    runner.emit(a.messageId, ', world');
    runner.finish(a.messageId);
    await eventually(async () => (await events()).some((e) => e.type === 'prompt_completed'));
    const timeline = await events();
    expectContiguous(timeline);
    expect(timeline.map((e) => e.type)).toEqual([
      'session_status',
      'prompt_queued',
      'session_status',
      'prompt_started',
      'sandbox_event',
      'prompt_completed',
    ]);
    expect(timeline[4]!.data).toMatchObject({ kind: 'text', delta: 'Hello, world' });
    const page = (
      await server!.api<{ events: SessionEvent[] }>(
        'GET',
        `/api/sessions/${runner.started[0]!.session.id}/events?after=2&limit=2`,
      )
    ).body.events;
    expect(page.map((e) => e.seq)).toEqual([3, 4]);
  });
});

describe('without a model', () => {
  it('a prompt fails fast and says what to set', async () => {
    server = await startTestServer({ model: null });
    const session = (await server.api<Session>('POST', '/api/sessions', { repo: makeRepo() })).body;
    const a = (
      await server.api<PromptAccepted>('POST', `/api/sessions/${session.id}/prompts`, { text: 'hi' })
    ).body;
    await eventually(async () => {
      const events = (
        await server!.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`)
      ).body.events;
      return events.some((e) => e.type === 'prompt_completed');
    });
    const events = (await server.api<{ events: SessionEvent[] }>('GET', `/api/sessions/${session.id}/events`))
      .body.events;
    const done = events.find((e) => e.type === 'prompt_completed')!;
    expect(done.data).toEqual({ messageId: a.messageId, outcome: 'failed', error: NO_MODEL_ERROR });
    expect(NO_MODEL_ERROR).toContain('NIGHTSHIFT_MODEL');
  });
});
