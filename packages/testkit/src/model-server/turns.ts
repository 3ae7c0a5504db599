/**
 * What a scripted model answers with, one "turn" per chat-completions request.
 *
 * Turns are plain data so tests read like a script; the builders below are shorthand.
 */

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface ToolCallSpec {
  name: string;
  /** Arguments as an object (serialised to JSON) or as a raw JSON string (sent as is). */
  arguments: unknown;
  /** Defaults to a generated `call_…` id. */
  id?: string;
}

export type Turn =
  | {
      type: 'text';
      /** A string is split into small chunks; an array is streamed chunk by chunk as given. */
      text: string | string[];
      /** Wait this long before each streamed chunk. */
      chunkDelayMs?: number;
      usage?: Usage;
    }
  | {
      type: 'tool_calls';
      calls: ToolCallSpec[];
      /** Optional text streamed before the calls. */
      text?: string;
      usage?: Usage;
    }
  | {
      type: 'error';
      /** HTTP status, e.g. 401, 429, 500. */
      status: number;
      message: string;
      /** OpenAI error `type`, e.g. `invalid_request_error`. */
      errorType?: string;
      code?: string | null;
      /** Sent as `retry-after-ms`: how soon a client that retries (OpenCode does) comes back. */
      retryAfterMs?: number;
    }
  | {
      /** Starts a stream, sends `text` (if any), then never finishes until the client goes away. */
      type: 'hang';
      text?: string;
    };

export const text = (
  value: string | string[],
  options: { chunkDelayMs?: number; usage?: Usage } = {},
): Turn => ({
  type: 'text',
  text: value,
  ...options,
});

export const toolCall = (
  name: string,
  args: unknown,
  options: { id?: string; text?: string } = {},
): Turn => ({
  type: 'tool_calls',
  calls: [{ name, arguments: args, ...(options.id ? { id: options.id } : {}) }],
  ...(options.text ? { text: options.text } : {}),
});

export const toolCalls = (calls: ToolCallSpec[], options: { text?: string } = {}): Turn => ({
  type: 'tool_calls',
  calls,
  ...options,
});

export const providerError = (
  status: number,
  message: string,
  options: { errorType?: string; code?: string | null; retryAfterMs?: number } = {},
): Turn => ({ type: 'error', status, message, ...options });

export const hang = (textBeforeHanging?: string): Turn => ({
  type: 'hang',
  ...(textBeforeHanging !== undefined ? { text: textBeforeHanging } : {}),
});

/** Splits text into chunks of a few characters so clients see a real stream of deltas. */
export function chunkText(value: string | string[], size = 8): string[] {
  if (Array.isArray(value)) return value;
  const chunks: string[] = [];
  for (let i = 0; i < value.length; i += size) chunks.push(value.slice(i, i + size));
  return chunks.length > 0 ? chunks : [''];
}
