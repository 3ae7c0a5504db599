/**
 * The OpenAI Chat Completions wire format, as `@ai-sdk/openai-compatible` reads it.
 * Pure: turns go in, JSON objects come out; the server decides when to write them.
 */
import { chunkText, type Turn, type Usage } from './turns.js';

type FinishReason = 'stop' | 'tool_calls';

export interface StreamFrame {
  /** Wait this long before writing the frame. */
  delayMs: number;
  chunk: Record<string, unknown>;
}

interface Ids {
  completionId: string;
  model: string;
  created: number;
  /** Generates tool-call ids when a turn does not name them. */
  nextCallId: () => string;
}

const estimateTokens = (s: string): number => Math.max(1, Math.ceil(s.length / 4));

export function usageOf(turn: Turn, promptChars: number): Usage {
  if ((turn.type === 'text' || turn.type === 'tool_calls') && turn.usage) return turn.usage;
  let completion = '';
  if (turn.type === 'text') completion = chunkText(turn.text).join('');
  if (turn.type === 'tool_calls')
    completion = (turn.text ?? '') + turn.calls.map((c) => c.name + argumentsJson(c.arguments)).join('');
  return {
    promptTokens: estimateTokens('x'.repeat(promptChars)),
    completionTokens: estimateTokens(completion),
  };
}

const usageJson = (u: Usage) => ({
  prompt_tokens: u.promptTokens,
  completion_tokens: u.completionTokens,
  total_tokens: u.promptTokens + u.completionTokens,
});

export function argumentsJson(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

function envelope(ids: Ids, choices: unknown[], extra: Record<string, unknown> = {}) {
  return {
    id: ids.completionId,
    object: 'chat.completion.chunk',
    created: ids.created,
    model: ids.model,
    choices,
    ...extra,
  };
}

const delta = (ids: Ids, d: Record<string, unknown>, finish: FinishReason | null = null) =>
  envelope(ids, [{ index: 0, delta: d, finish_reason: finish }]);

/** The frames of a streamed answer (everything before `data: [DONE]`). `hang` turns yield only their opening. */
export function streamFrames(
  turn: Exclude<Turn, { type: 'error' }>,
  ids: Ids,
  promptChars: number,
): StreamFrame[] {
  const frames: StreamFrame[] = [{ delayMs: 0, chunk: delta(ids, { role: 'assistant', content: '' }) }];
  if (turn.type === 'hang') {
    if (turn.text) frames.push({ delayMs: 0, chunk: delta(ids, { content: turn.text }) });
    return frames;
  }
  if (turn.type === 'text') {
    for (const piece of chunkText(turn.text))
      frames.push({ delayMs: turn.chunkDelayMs ?? 0, chunk: delta(ids, { content: piece }) });
  }
  if (turn.type === 'tool_calls') {
    if (turn.text)
      for (const piece of chunkText(turn.text))
        frames.push({ delayMs: 0, chunk: delta(ids, { content: piece }) });
    turn.calls.forEach((call, index) => {
      const id = call.id ?? ids.nextCallId();
      // Name first with empty arguments, then the arguments in pieces, as OpenAI streams them.
      frames.push({
        delayMs: 0,
        chunk: delta(ids, {
          tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }],
        }),
      });
      for (const piece of chunkText(argumentsJson(call.arguments), 24))
        frames.push({
          delayMs: 0,
          chunk: delta(ids, { tool_calls: [{ index, function: { arguments: piece } }] }),
        });
    });
  }
  const finish: FinishReason = turn.type === 'tool_calls' ? 'tool_calls' : 'stop';
  frames.push({ delayMs: 0, chunk: delta(ids, {}, finish) });
  frames.push({ delayMs: 0, chunk: envelope(ids, [], { usage: usageJson(usageOf(turn, promptChars)) }) });
  return frames;
}

/** A non-streamed answer. */
export function completionBody(
  turn: Extract<Turn, { type: 'text' | 'tool_calls' }>,
  ids: Ids,
  promptChars: number,
) {
  const content = turn.type === 'text' ? chunkText(turn.text).join('') : (turn.text ?? null);
  const toolCalls =
    turn.type === 'tool_calls'
      ? turn.calls.map((call) => ({
          id: call.id ?? ids.nextCallId(),
          type: 'function',
          function: { name: call.name, arguments: argumentsJson(call.arguments) },
        }))
      : undefined;
  return {
    id: ids.completionId,
    object: 'chat.completion',
    created: ids.created,
    model: ids.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        finish_reason: turn.type === 'tool_calls' ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageJson(usageOf(turn, promptChars)),
  };
}

/** OpenAI's error body: `{ error: { message, type, param, code } }`. */
export function errorBody(turn: Extract<Turn, { type: 'error' }>) {
  return {
    error: {
      message: turn.message,
      type: turn.errorType ?? (turn.status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: null,
      code: turn.code ?? null,
    },
  };
}
