/** A chat-completions request as a test sees it, with helpers to read the conversation. */

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | string;
  /** A string, or an array of content parts (`{type:'text', text}` …), or null for pure tool calls. */
  content: unknown;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown } }[];
  /** The whole JSON body, for anything not surfaced above. */
  body: Record<string, unknown>;
}

/** Plain text of a message's content, whatever shape the client sent. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : '',
      )
      .join('');
  }
  return '';
}

export function systemText(request: ChatRequest): string {
  return request.messages
    .filter((m) => m.role === 'system')
    .map((m) => contentText(m.content))
    .join('\n');
}

/** The text of the last user message (the prompt the model is answering). */
export function lastUserText(request: ChatRequest): string {
  const user = request.messages.filter((m) => m.role === 'user').at(-1);
  return user ? contentText(user.content) : '';
}

/** Tool results that came back after the last user message, oldest first. */
export function toolResultsSinceLastUser(request: ChatRequest): { toolCallId: string; output: string }[] {
  const lastUser = request.messages.map((m) => m.role).lastIndexOf('user');
  return request.messages
    .slice(lastUser + 1)
    .filter((m) => m.role === 'tool')
    .map((m) => ({ toolCallId: m.tool_call_id ?? '', output: contentText(m.content) }));
}

/** True when the last message is a tool result, i.e. the model is being asked to continue after a tool ran. */
export function endsWithToolResult(request: ChatRequest): boolean {
  return request.messages.at(-1)?.role === 'tool';
}

export function toolNames(request: ChatRequest): string[] {
  return (request.tools ?? []).map((t) => t.function.name);
}

export function parseChatRequest(body: unknown): ChatRequest {
  if (!body || typeof body !== 'object') throw new Error('body must be a JSON object');
  const record = body as Record<string, unknown>;
  if (!Array.isArray(record.messages)) throw new Error('messages must be an array');
  return {
    model: typeof record.model === 'string' ? record.model : '',
    messages: record.messages as ChatMessage[],
    stream: record.stream === true,
    ...(Array.isArray(record.tools) ? { tools: record.tools as ChatRequest['tools'] } : {}),
    body: record,
  };
}
