import { describe, expect, it } from 'vitest';
import { ActivityTranslator, MAX_TOOL_PAYLOAD_BYTES, type OpenCodeEvent } from '../src/opencode/index.js';

const S = 'ses_1';
const assistant = (id: string): OpenCodeEvent => ({
  type: 'message.updated',
  properties: { sessionID: S, info: { id, sessionID: S, role: 'assistant' } },
});
const user = (id: string): OpenCodeEvent => ({
  type: 'message.updated',
  properties: { sessionID: S, info: { id, sessionID: S, role: 'user' } },
});
const part = (p: Record<string, unknown>, messageID = 'msg_a', sessionID = S): OpenCodeEvent => ({
  type: 'message.part.updated',
  properties: { sessionID, part: { sessionID, messageID, ...p } },
});
const delta = (partID: string, d: string, field = 'text', messageID = 'msg_a'): OpenCodeEvent => ({
  type: 'message.part.delta',
  properties: { sessionID: S, messageID, partID, field, delta: d },
});
const tool = (status: string, extra: Record<string, unknown> = {}) =>
  part({
    id: 'prt_t',
    type: 'tool',
    tool: 'bash',
    callID: 'call_1',
    state: { status, input: { command: 'ls' }, ...extra },
  });

function feed(events: OpenCodeEvent[]) {
  const t = new ActivityTranslator(S);
  return { t, out: events.flatMap((e) => t.translate(e)) };
}

describe('ActivityTranslator', () => {
  it('passes deltas through and ignores the full text that repeats them', () => {
    const { out } = feed([
      assistant('msg_a'),
      part({ id: 'prt_x', type: 'text', text: '' }),
      delta('prt_x', 'Hel'),
      delta('prt_x', 'lo'),
      part({ id: 'prt_x', type: 'text', text: 'Hello' }),
    ]);
    expect(out).toEqual([
      { kind: 'text', partId: 'prt_x', delta: 'Hel' },
      { kind: 'text', partId: 'prt_x', delta: 'lo' },
    ]);
  });

  it('turns cumulative full-text updates into deltas', () => {
    const { out } = feed([
      assistant('msg_a'),
      part({ id: 'prt_x', type: 'text', text: 'Hel' }),
      part({ id: 'prt_x', type: 'text', text: 'Hello' }),
      part({ id: 'prt_x', type: 'text', text: 'Hello' }),
      part({ id: 'prt_x', type: 'text', text: 'Hello world' }),
    ]);
    expect(out.map((a) => (a.kind === 'text' ? a.delta : ''))).toEqual(['Hel', 'lo', ' world']);
  });

  it('catches up on deltas that arrived before the part was announced', () => {
    const { out } = feed([
      assistant('msg_a'),
      delta('prt_x', 'Hi '),
      part({ id: 'prt_x', type: 'text', text: 'Hi there' }),
    ]);
    expect(out).toEqual([{ kind: 'text', partId: 'prt_x', delta: 'Hi there' }]);
  });

  it("ignores the user's prompt, reasoning, synthetic text and other sessions", () => {
    const { out } = feed([
      user('msg_u'),
      part({ id: 'prt_u', type: 'text', text: 'the prompt' }, 'msg_u'),
      assistant('msg_a'),
      part({ id: 'prt_r', type: 'reasoning', text: '' }),
      delta('prt_r', 'thinking'),
      part({ id: 'prt_s', type: 'text', text: 'injected', synthetic: true }),
      part({ id: 'prt_o', type: 'text', text: 'elsewhere' }, 'msg_a', 'ses_other'),
    ]);
    expect(out).toEqual([]);
  });

  it('reports each tool status once, with input, output and errors', () => {
    const { out } = feed([
      assistant('msg_a'),
      part({
        id: 'prt_t',
        type: 'tool',
        tool: 'bash',
        callID: 'call_1',
        state: { status: 'pending', input: {}, raw: '' },
      }),
      tool('running', { title: 'List files' }),
      tool('running', { metadata: { output: 'partial' } }),
      tool('completed', { output: 'a\nb\n', title: 'List files' }),
      tool('completed', { output: 'a\nb\n' }),
    ]);
    expect(out).toEqual([
      { kind: 'tool', callId: 'call_1', tool: 'bash', status: 'pending' },
      {
        kind: 'tool',
        callId: 'call_1',
        tool: 'bash',
        status: 'running',
        title: 'List files',
        input: { command: 'ls' },
      },
      {
        kind: 'tool',
        callId: 'call_1',
        tool: 'bash',
        status: 'completed',
        title: 'List files',
        input: { command: 'ls' },
        output: 'a\nb\n',
      },
    ]);
    const failed = feed([assistant('msg_a'), tool('error', { error: 'command not found' })]).out;
    expect(failed).toEqual([
      {
        kind: 'tool',
        callId: 'call_1',
        tool: 'bash',
        status: 'error',
        input: { command: 'ls' },
        error: 'command not found',
      },
    ]);
  });

  it('truncates large tool input and output and says so', () => {
    const big = 'x'.repeat(MAX_TOOL_PAYLOAD_BYTES * 2);
    const { out } = feed([
      assistant('msg_a'),
      part({
        id: 'prt_t',
        type: 'tool',
        tool: 'write',
        callID: 'c',
        state: { status: 'completed', input: { content: big }, output: big },
      }),
    ]);
    const activity = out[0];
    expect(activity?.kind).toBe('tool');
    if (activity?.kind !== 'tool') return;
    expect(activity.output!.length).toBeLessThan(MAX_TOOL_PAYLOAD_BYTES + 100);
    expect(activity.output).toMatch(/\[truncated: \d+ more bytes\]$/);
    expect(activity.input).toMatchObject({ truncated: true, bytes: expect.any(Number) });
    expect(JSON.stringify(activity.input).length).toBeLessThan(MAX_TOOL_PAYLOAD_BYTES + 200);
  });

  it('reports step finishes with tokens and cost', () => {
    const { out } = feed([
      assistant('msg_a'),
      part({
        id: 'prt_f',
        type: 'step-finish',
        reason: 'stop',
        cost: 0.0123,
        tokens: { input: 100, output: 20, reasoning: 5, cache: { read: 50, write: 0 } },
      }),
    ]);
    expect(out).toEqual([
      {
        kind: 'step',
        cost: 0.0123,
        tokens: { input: 100, output: 20, reasoning: 5, cacheRead: 50, cacheWrite: 0 },
      },
    ]);
  });

  it('closes tools left open when the turn ends', () => {
    const { t } = feed([assistant('msg_a'), tool('running')]);
    expect(t.closeOpenTools('stopped')).toEqual([
      { kind: 'tool', callId: 'call_1', tool: 'bash', status: 'error', error: 'stopped' },
    ]);
    expect(t.closeOpenTools('stopped')).toEqual([]);
  });
});
