/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read arbitrary wire JSON */
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEMO_FILE,
  demoResponder,
  hang,
  providerError,
  SCRIPT_EXHAUSTED_MESSAGE,
  startModelServer,
  taggedResponder,
  text,
  toolCall,
  toolCalls,
  type ModelServer,
} from '../src/index.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const user = (content: string) => ({ role: 'user', content });

async function chat(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return fetch(`${server!.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'scripted', ...body }),
  });
}

/** Reads an SSE body into its `data:` payloads (JSON-parsed, except `[DONE]`). */
async function sse(response: Response): Promise<unknown[]> {
  const raw = await response.text();
  return raw
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

/** The text content of a streamed answer, joined. */
function streamedText(frames: unknown[]): string {
  return (frames.filter((f) => f !== '[DONE]') as Chunk[])
    .flatMap((c) => c.choices.map((ch) => ch.delta.content ?? ''))
    .join('');
}

type Chunk = { choices: { delta: Record<string, any>; finish_reason: string | null }[]; usage?: unknown };

describe('scripted model server', () => {
  it('streams text as chunks, then finish_reason stop, usage and [DONE]', async () => {
    server = await startModelServer({ turns: [text('Hello from the script, streamed in pieces.')] });
    const response = await chat({ messages: [user('hi')], stream: true });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = await sse(response);
    expect(frames.at(-1)).toBe('[DONE]');
    const chunks = frames.slice(0, -1) as Chunk[];
    const contents = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content ?? '')).filter(Boolean);
    expect(contents.length).toBeGreaterThan(2);
    expect(contents.join('')).toBe('Hello from the script, streamed in pieces.');
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(chunks.at(-1)?.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
  });

  it('streams tool calls as name then argument pieces with finish_reason tool_calls', async () => {
    server = await startModelServer({
      turns: [
        toolCalls([
          { name: 'write', arguments: { filePath: 'a.txt', content: 'x'.repeat(100) } },
          { name: 'bash', arguments: { command: 'ls' }, id: 'call_fixed' },
        ]),
      ],
    });
    const chunks = (await sse(await chat({ messages: [user('go')], stream: true }))).slice(0, -1) as Chunk[];
    const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    const byIndex = new Map<number, { id?: string; name?: string; args: string }>();
    for (const call of calls) {
      const entry = byIndex.get(call.index) ?? { args: '' };
      if (call.id) entry.id = call.id;
      if (call.function?.name) entry.name = call.function.name;
      entry.args += call.function?.arguments ?? '';
      byIndex.set(call.index, entry);
    }
    expect(calls.length).toBeGreaterThan(3); // arguments arrive in several pieces
    expect(byIndex.get(0)).toMatchObject({ name: 'write', id: expect.stringMatching(/^call_/) });
    expect(JSON.parse(byIndex.get(0)!.args)).toEqual({ filePath: 'a.txt', content: 'x'.repeat(100) });
    expect(byIndex.get(1)).toMatchObject({ name: 'bash', id: 'call_fixed', args: '{"command":"ls"}' });
    expect(chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter(Boolean)).toEqual([
      'tool_calls',
    ]);
  });

  it('answers non-streaming requests with a whole completion', async () => {
    server = await startModelServer({ turns: [text('plain answer'), toolCall('read', { filePath: 'x' })] });
    const first = (await (await chat({ messages: [user('a')] })).json()) as any;
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0].message).toEqual({ role: 'assistant', content: 'plain answer' });
    const second = (await (await chat({ messages: [user('b')] })).json()) as any;
    expect(second.choices[0].finish_reason).toBe('tool_calls');
    expect(second.choices[0].message.tool_calls[0].function).toEqual({
      name: 'read',
      arguments: '{"filePath":"x"}',
    });
  });

  it('returns scripted provider errors with an OpenAI error body', async () => {
    server = await startModelServer({
      turns: [providerError(429, 'Rate limit reached for scripted', { code: 'rate_limit_exceeded' })],
    });
    const response = await chat({ messages: [user('a')], stream: true });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      error: {
        message: 'Rate limit reached for scripted',
        type: 'invalid_request_error',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
  });

  it('fails loudly when the script runs out', async () => {
    server = await startModelServer();
    const response = await chat({ messages: [user('a')], stream: true });
    expect(response.status).toBe(500);
    expect(((await response.json()) as any).error.message).toBe(SCRIPT_EXHAUSTED_MESSAGE);
  });

  it('lets a function answer from the conversation before the queue is used', async () => {
    server = await startModelServer({
      turns: [text('from the queue')],
      respond: (request) =>
        request.messages.at(-1)?.role === 'tool' ? text('saw the tool result') : undefined,
    });
    const afterTool = await sse(
      await chat({
        stream: true,
        messages: [
          user('a'),
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'bash', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        ],
      }),
    );
    expect(streamedText(afterTool)).toBe('saw the tool result');
    const plain = await sse(await chat({ stream: true, messages: [user('b')] }));
    expect(streamedText(plain)).toBe('from the queue');
    expect(server.remainingTurns()).toBe(0);
    expect(server.scriptedRequests().map((r) => r.messages.length)).toEqual([3, 1]);
  });

  it("answers each tagged prompt from its tag's turns, and the rest from the queue", async () => {
    const routes = new Map([
      ['[one]', [text('first of one'), text('second of one')]],
      ['[two]', [text('only of two')]],
    ]);
    server = await startModelServer({ turns: [text('from the queue')], respond: taggedResponder(routes) });
    const answer = async (prompt: string) =>
      streamedText(await sse(await chat({ stream: true, messages: [user(prompt)] })));
    expect(await answer('[two] go')).toBe('only of two');
    expect(await answer('[one] go')).toBe('first of one');
    expect(await answer('[one] again')).toBe('second of one');
    // Used up: the queue answers.
    expect(await answer('[two] again')).toBe('from the queue');
  });

  it('answers title generation by default without consuming the script', async () => {
    server = await startModelServer({ turns: [text('the real answer')] });
    const title = await sse(
      await chat({
        stream: true,
        messages: [
          { role: 'system', content: 'You are a title generator. You output ONLY a thread title.' },
          user('Generate a title'),
        ],
      }),
    );
    expect(streamedText(title)).toBe('Scripted session');
    expect(server.remainingTurns()).toBe(1);
    expect(server.requests[0]?.sideTask).toBe('title');
    expect(server.scriptedRequests()).toHaveLength(0);
  });

  it('delays chunks and can hang a stream until the server closes', async () => {
    server = await startModelServer({
      turns: [text(['a', 'b', 'c'], { chunkDelayMs: 60 }), hang('thinking...')],
    });
    const started = Date.now();
    await sse(await chat({ messages: [user('a')], stream: true }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);

    const response = await chat({ messages: [user('b')], stream: true });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('data: ');
    let ended = false;
    const rest = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // the connection is cut when the server closes
      }
      ended = true;
    })();
    await new Promise((r) => setTimeout(r, 200));
    expect(ended).toBe(false);
    await server.close();
    server = undefined;
    await rest;
    expect(ended).toBe(true);
  });

  it('lists models and enforces the API key when one is set', async () => {
    server = await startModelServer({ models: ['m1', 'm2'], apiKey: 'sk-test' });
    expect((await fetch(`${server.baseUrl}/models`)).status).toBe(401);
    const list = (await (
      await fetch(`${server.baseUrl}/models`, { headers: { authorization: 'Bearer sk-test' } })
    ).json()) as any;
    expect(list.data.map((m: { id: string }) => m.id)).toEqual(['m1', 'm2']);
  });

  it('has a demo script that writes a file and then summarises', async () => {
    server = await startModelServer({ respond: demoResponder });
    const first = (await (await chat({ messages: [user('Add a greeting')] })).json()) as any;
    const call = first.choices[0].message.tool_calls[0];
    expect(call.function.name).toBe('write');
    const args = JSON.parse(call.function.arguments);
    expect(args.filePath).toBe(DEMO_FILE);
    expect(args.content).toContain('Add a greeting');
    const second = (await (
      await chat({
        messages: [
          user('Add a greeting'),
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: call.id, content: 'Wrote file successfully.' },
        ],
      })
    ).json()) as any;
    expect(second.choices[0].message.content).toMatch(/scripted demo model, not an AI/);
  });
});
