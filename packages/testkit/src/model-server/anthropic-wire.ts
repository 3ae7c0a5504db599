/**
 * Anthropic's Messages API wire format, as `@ai-sdk/anthropic` reads and writes it: requests are
 * turned into the chat shape the script reads (so one responder serves both formats), and turns
 * into Messages answers and SSE events. Pure, like `wire.ts`.
 */
import type { ChatMessage, ChatRequest } from './request.js';
import { chunkText, type Turn } from './turns.js';
import { argumentsJson, usageOf, type StreamFrame } from './wire.js';

interface Ids {
  messageId: string;
  model: string;
  nextCallId: () => string;
}

type Block = Record<string, unknown>;

const blocks = (content: unknown): Block[] =>
  typeof content === 'string'
    ? [{ type: 'text', text: content }]
    : Array.isArray(content)
      ? (content.filter((b) => b && typeof b === 'object') as Block[])
      : [];

const textOf = (content: unknown): string =>
  blocks(content)
    .map((b) => (b.type === 'text' && typeof b.text === 'string' ? b.text : ''))
    .join('');

/** A Messages request in the chat shape: system first, tool results as `tool` messages. */
export function parseMessagesRequest(body: unknown): ChatRequest {
  if (!body || typeof body !== 'object') throw new Error('body must be a JSON object');
  const record = body as Record<string, unknown>;
  if (!Array.isArray(record.messages)) throw new Error('messages: Field required');
  const messages: ChatMessage[] = [];
  const system = textOf(record.system);
  if (system) messages.push({ role: 'system', content: system });
  for (const message of record.messages as Array<{ role: string; content: unknown }>) {
    if (message.role === 'assistant') {
      const calls = blocks(message.content)
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({
          id: String(b.id),
          type: 'function' as const,
          function: { name: String(b.name), arguments: JSON.stringify(b.input ?? {}) },
        }));
      messages.push({
        role: 'assistant',
        content: textOf(message.content) || null,
        ...(calls.length ? { tool_calls: calls } : {}),
      });
      continue;
    }
    for (const b of blocks(message.content).filter((b) => b.type === 'tool_result'))
      messages.push({ role: 'tool', tool_call_id: String(b.tool_use_id), content: textOf(b.content) });
    const text = textOf(message.content);
    if (text) messages.push({ role: 'user', content: text });
  }
  const tools = Array.isArray(record.tools)
    ? (record.tools as Array<{ name: string; description?: string; input_schema?: unknown }>).map((t) => ({
        type: 'function' as const,
        function: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          parameters: t.input_schema,
        },
      }))
    : undefined;
  return {
    model: typeof record.model === 'string' ? record.model : '',
    messages,
    stream: record.stream === true,
    ...(tools ? { tools } : {}),
    body: record,
  };
}

const event = (delayMs: number, chunk: Record<string, unknown>): StreamFrame => ({ delayMs, chunk });

/** The events of a streamed answer, in order; each frame's `chunk.type` is its SSE event name. */
export function messagesStreamFrames(
  turn: Exclude<Turn, { type: 'error' }>,
  ids: Ids,
  promptChars: number,
): StreamFrame[] {
  const usage = usageOf(turn, promptChars);
  const frames: StreamFrame[] = [
    event(0, {
      type: 'message_start',
      message: {
        id: ids.messageId,
        type: 'message',
        role: 'assistant',
        model: ids.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: usage.promptTokens, output_tokens: 1 },
      },
    }),
  ];
  let index = 0;
  const textBlock = (text: string | string[] | undefined, delayMs: number) => {
    if (text === undefined) return;
    frames.push(event(0, { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    for (const piece of chunkText(text))
      frames.push(
        event(delayMs, { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }),
      );
    if (turn.type !== 'hang') frames.push(event(0, { type: 'content_block_stop', index }));
    index += 1;
  };
  if (turn.type === 'hang') {
    // In one piece, as the OpenAI format sends it.
    textBlock(turn.text === undefined ? undefined : [turn.text], 0);
    return frames;
  }
  textBlock(
    turn.type === 'text' ? turn.text : turn.text,
    turn.type === 'text' ? (turn.chunkDelayMs ?? 0) : 0,
  );
  if (turn.type === 'tool_calls')
    for (const call of turn.calls) {
      const id = call.id ?? ids.nextCallId();
      frames.push(
        event(0, {
          type: 'content_block_start',
          index,
          content_block: { type: 'tool_use', id, name: call.name, input: {} },
        }),
      );
      for (const piece of chunkText(argumentsJson(call.arguments), 24))
        frames.push(
          event(0, {
            type: 'content_block_delta',
            index,
            delta: { type: 'input_json_delta', partial_json: piece },
          }),
        );
      frames.push(event(0, { type: 'content_block_stop', index }));
      index += 1;
    }
  frames.push(
    event(0, {
      type: 'message_delta',
      delta: { stop_reason: turn.type === 'tool_calls' ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: usage.completionTokens },
    }),
  );
  frames.push(event(0, { type: 'message_stop' }));
  return frames;
}

/** A non-streamed Messages answer. */
export function messagesBody(
  turn: Extract<Turn, { type: 'text' | 'tool_calls' }>,
  ids: Ids,
  promptChars: number,
) {
  const usage = usageOf(turn, promptChars);
  const text = turn.type === 'text' ? chunkText(turn.text).join('') : (turn.text ?? '');
  const content: Block[] = text ? [{ type: 'text', text }] : [];
  if (turn.type === 'tool_calls')
    for (const call of turn.calls)
      content.push({
        type: 'tool_use',
        id: call.id ?? ids.nextCallId(),
        name: call.name,
        input: JSON.parse(argumentsJson(call.arguments)) as unknown,
      });
  return {
    id: ids.messageId,
    type: 'message',
    role: 'assistant',
    model: ids.model,
    content,
    stop_reason: turn.type === 'tool_calls' ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: usage.promptTokens, output_tokens: usage.completionTokens },
  };
}

/** Anthropic's error body: `{type: 'error', error: {type, message}}`. */
export function messagesErrorBody(status: number, message: string, errorType?: string) {
  const type =
    errorType ??
    ({
      400: 'invalid_request_error',
      401: 'authentication_error',
      404: 'not_found_error',
      429: 'rate_limit_error',
    }[status] ||
      (status >= 500 ? 'api_error' : 'invalid_request_error'));
  return { type: 'error', error: { type, message } };
}
